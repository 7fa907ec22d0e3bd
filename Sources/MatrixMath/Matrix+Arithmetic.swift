/// Elementwise arithmetic: `+ - * /` between matrices, and between a matrix and a scalar.
///
/// Two matrices combine when each dimension either matches or is 1; a dimension of 1 is
/// *broadcast*, repeated to the size of the other. So a 1 x n row vector (a bias) is added to every
/// row of an m x n batch, and an m x 1 column vector (one value per row) scales each row. These are
/// NumPy's and PyTorch's rules, restricted to two dimensions.
///
/// `*` is the elementwise (Hadamard) product, as in PyTorch; the matrix product is `matmul`.
///
/// ## Shape
/// - a: [m, n], b: [m, n] or [1, n] or [m, 1] or [1, 1] (and symmetrically) -> [m, n]
///
/// ```swift
/// let x = Matrix([[1, 2], [3, 4]])
/// let bias = Matrix(row: [10, 20])
/// x + bias      // [[11, 22], [13, 24]]
/// ```
extension Matrix {
    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix { broadcast(lhs, rhs, "+", +) }
    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix { broadcast(lhs, rhs, "-", -) }
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix { broadcast(lhs, rhs, "*", *) }
    public static func / (lhs: Matrix, rhs: Matrix) -> Matrix { broadcast(lhs, rhs, "/", /) }

    public static func + (lhs: Matrix, rhs: Float) -> Matrix { lhs.map { $0 + rhs } }
    public static func - (lhs: Matrix, rhs: Float) -> Matrix { lhs.map { $0 - rhs } }
    public static func * (lhs: Matrix, rhs: Float) -> Matrix { lhs.map { $0 * rhs } }
    public static func / (lhs: Matrix, rhs: Float) -> Matrix { lhs.map { $0 / rhs } }

    public static func + (lhs: Float, rhs: Matrix) -> Matrix { rhs.map { lhs + $0 } }
    public static func - (lhs: Float, rhs: Matrix) -> Matrix { rhs.map { lhs - $0 } }
    public static func * (lhs: Float, rhs: Matrix) -> Matrix { rhs.map { lhs * $0 } }
    public static func / (lhs: Float, rhs: Matrix) -> Matrix { rhs.map { lhs / $0 } }

    public static prefix func - (operand: Matrix) -> Matrix { operand.map { -$0 } }

    public static func += (lhs: inout Matrix, rhs: Matrix) { lhs = lhs + rhs }
    public static func -= (lhs: inout Matrix, rhs: Matrix) { lhs = lhs - rhs }
    public static func *= (lhs: inout Matrix, rhs: Matrix) { lhs = lhs * rhs }
    public static func /= (lhs: inout Matrix, rhs: Matrix) { lhs = lhs / rhs }
    public static func += (lhs: inout Matrix, rhs: Float) { lhs = lhs + rhs }
    public static func -= (lhs: inout Matrix, rhs: Float) { lhs = lhs - rhs }
    public static func *= (lhs: inout Matrix, rhs: Float) { lhs = lhs * rhs }
    public static func /= (lhs: inout Matrix, rhs: Float) { lhs = lhs / rhs }

    /// The shape two matrices broadcast to, or nil when some dimension differs and neither is 1.
    public static func broadcastShape(_ a: Matrix, _ b: Matrix) -> (rows: Int, columns: Int)? {
        func combine(_ x: Int, _ y: Int) -> Int? {
            if x == y { return x }
            if x == 1 { return y }
            if y == 1 { return x }
            return nil
        }
        guard let rows = combine(a.rows, b.rows), let columns = combine(a.columns, b.columns) else {
            return nil
        }
        return (rows, columns)
    }

    /// Applies `operation` elementwise after broadcasting both operands to a common shape.
    private static func broadcast(
        _ a: Matrix, _ b: Matrix, _ name: String,
        _ operation: (Float, Float) -> Float
    ) -> Matrix {
        guard let shape = broadcastShape(a, b) else {
            preconditionFailure(
                "Matrix \(name): shapes \(a.shapeText) and \(b.shapeText) do not broadcast "
                    + "(each dimension must be equal, or 1 in one of them)")
        }
        var result = Matrix.zeros(rows: shape.rows, columns: shape.columns)
        // A dimension of size 1 is read with stride 0: the same element again and again.
        let aRowStride = a.rows == 1 ? 0 : a.columns, aColumnStride = a.columns == 1 ? 0 : 1
        let bRowStride = b.rows == 1 ? 0 : b.columns, bColumnStride = b.columns == 1 ? 0 : 1
        a.storage.withUnsafeBufferPointer { x in
            b.storage.withUnsafeBufferPointer { y in
                result.storage.withUnsafeMutableBufferPointer { out in
                    for i in 0..<shape.rows {
                        for j in 0..<shape.columns {
                            out[i * shape.columns + j] = operation(
                                x[i * aRowStride + j * aColumnStride],
                                y[i * bRowStride + j * bColumnStride])
                        }
                    }
                }
            }
        }
        return result
    }
}
