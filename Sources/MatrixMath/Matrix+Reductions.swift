/// Sums, means and maxima over a whole matrix or along one dimension, and the arg-max per row.
///
/// `dim` follows PyTorch: reducing along `dim: 0` collapses the rows (one result per column, a
/// 1 x n row vector); `dim: 1` collapses the columns (one result per row, an m x 1 column vector).
/// Sums are accumulated in `Double`, so adding 60,000 losses does not lose the small ones.
///
/// ## Shape
/// - input [m, n]; `dim: 0` -> [1, n]; `dim: 1` -> [m, 1]
///
/// ```swift
/// let x = Matrix([[1, 2], [3, 4]])
/// x.sum(dim: 0)        // [[4, 6]]
/// x.argmax(dim: 1)     // [1, 1]
/// ```
extension Matrix {
    /// The sum of all elements.
    public func sum() -> Float {
        var total = 0.0
        for value in storage { total += Double(value) }
        return Float(total)
    }

    /// The mean of all elements.
    public func mean() -> Float {
        precondition(count > 0, "Matrix.mean: the matrix is empty (\(shapeText))")
        return sum() / Float(count)
    }

    /// The largest element.
    public func max() -> Float {
        precondition(count > 0, "Matrix.max: the matrix is empty (\(shapeText))")
        return storage.max()!
    }

    /// The sum along `dim` (0: down each column, 1: along each row).
    public func sum(dim: Int) -> Matrix {
        reduce(dim: dim, "sum") { values in
            var total = 0.0
            for value in values { total += Double(value) }
            return Float(total)
        }
    }

    /// The mean along `dim`.
    public func mean(dim: Int) -> Matrix {
        let length = dim == 0 ? rows : columns
        precondition(length > 0, "Matrix.mean(dim: \(dim)): nothing to average in a \(shapeText) matrix")
        return sum(dim: dim) / Float(length)
    }

    /// The maximum along `dim`.
    public func max(dim: Int) -> Matrix {
        let length = dim == 0 ? rows : columns
        precondition(length > 0, "Matrix.max(dim: \(dim)): no elements in a \(shapeText) matrix")
        return reduce(dim: dim, "max") { $0.max()! }
    }

    /// The index of the largest element along `dim` (the first one on ties, as PyTorch):
    /// with `dim: 1`, the predicted class of each row of scores.
    public func argmax(dim: Int = 1) -> [Int] {
        let length = dim == 0 ? rows : columns
        precondition(length > 0, "Matrix.argmax(dim: \(dim)): no elements in a \(shapeText) matrix")
        let vectors = dim == 0 ? (0..<columns).map(column) : (0..<rows).map(row)
        return vectors.map { values in
            var best = 0
            for index in 1..<values.count where values[index] > values[best] { best = index }
            return best
        }
    }

    /// Reduces every column (dim 0) or every row (dim 1) with `combine`.
    private func reduce(dim: Int, _ name: String, _ combine: ([Float]) -> Float) -> Matrix {
        switch dim {
        case 0:
            return Matrix(row: (0..<columns).map { combine(column($0)) })
        case 1:
            return Matrix(column: (0..<rows).map { combine(row($0)) })
        default:
            preconditionFailure("Matrix.\(name)(dim: \(dim)): a matrix has dimensions 0 (rows) and 1 (columns)")
        }
    }
}
