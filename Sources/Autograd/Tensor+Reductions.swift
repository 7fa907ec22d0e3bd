/// Sums, means and maxima, over everything or along one dimension.
///
///     sum:  every input element receives the output's gradient (d sum/dx_i = 1)
///     mean: the same divided by the number of elements averaged
///     max:  only the element that was the maximum receives it (the first one on ties)
///
/// ## Shape
/// - sum(), mean(): any -> [] (a scalar)
/// - sum(dim:keepDim:), mean, max: [..., n, ...] -> the shape without dimension `dim`
///   (or with size 1 there when `keepDim`)
///
/// ```swift
/// let total = x.sum()
/// let perRow = x.sum(dim: 1)               // [n, c] -> [n]
/// let (values, indices) = x.max(dim: 1)    // the largest score of each row and its class
/// ```
extension Tensor {
    public func sum() -> Tensor {
        var total = 0.0
        for value in data { total += Double(value) }
        let n = count
        return Tensor.result(shape: [], data: [Float(total)], inputs: [self], name: "SumBackward0") { gradient, _ in
            [[Float](repeating: gradient[0], count: n)]
        }
    }

    public func mean() -> Tensor {
        precondition(count > 0, "mean: the tensor is empty (shape \(shapeText))")
        var total = 0.0
        for value in data { total += Double(value) }
        let n = count
        return Tensor.result(shape: [], data: [Float(total / Double(n))], inputs: [self], name: "MeanBackward0") {
            gradient, _ in
            [[Float](repeating: gradient[0] / Float(n), count: n)]
        }
    }

    public func sum(dim: Int, keepDim: Bool = false) -> Tensor {
        let (outer, size, inner) = split(at: dim, "sum")
        let sums = lineSums(outer: outer, size: size, inner: inner)
        return Tensor.result(
            shape: reducedShape(dim, keepDim), data: sums.map { Float($0) }, inputs: [self],
            name: "SumBackward1"
        ) { gradient, _ in
            [spread(gradient, outer: outer, size: size, inner: inner, scale: 1)]
        }
    }

    /// The mean along `dim`, recorded as one operation (`MeanBackward1`, as PyTorch's
    /// `mean(dim)`): each input receives the output's gradient divided by the dimension's size.
    public func mean(dim: Int, keepDim: Bool = false) -> Tensor {
        let (outer, size, inner) = split(at: dim, "mean")
        precondition(size > 0, "mean: dimension \(dim) of shape \(shapeText) is empty")
        let sums = lineSums(outer: outer, size: size, inner: inner)
        return Tensor.result(
            shape: reducedShape(dim, keepDim), data: sums.map { Float($0 / Double(size)) }, inputs: [self],
            name: "MeanBackward1"
        ) { gradient, _ in
            [spread(gradient, outer: outer, size: size, inner: inner, scale: 1 / Float(size))]
        }
    }

    /// The maximum along `dim` and where it was (PyTorch's `max(dim)`).
    public func max(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: [Int]) {
        let (outer, size, inner) = split(at: dim, "max")
        precondition(size > 0, "max: dimension \(dim) of shape \(shapeText) is empty")
        var values = [Float](repeating: 0, count: outer * inner)
        var indices = [Int](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = 0
                    var bestValue = x[o * size * inner + i]
                    for s in 1..<Swift.max(size, 1) where x[(o * size + s) * inner + i] > bestValue {
                        best = s
                        bestValue = x[(o * size + s) * inner + i]
                    }
                    values[o * inner + i] = bestValue
                    indices[o * inner + i] = best
                }
            }
        }
        let n = count
        let output = Tensor.result(
            shape: reducedShape(dim, keepDim), data: values, inputs: [self],
            name: "MaxBackward0"
        ) { gradient, _ in
            var dx = [Float](repeating: 0, count: n)
            for o in 0..<outer {
                for i in 0..<inner {
                    dx[(o * size + indices[o * inner + i]) * inner + i] = gradient[o * inner + i]
                }
            }
            return [dx]
        }
        return (output, indices)
    }

    /// The index of the maximum along `dim` (the predicted class with `dim: 1`).
    public func argmax(dim: Int) -> [Int] {
        withNoGrad { max(dim: dim).indices }
    }

    /// `dim` counted from the end when negative, checked.
    func normalized(_ dim: Int, _ operation: String) -> Int {
        let resolved = dim < 0 ? dim + rank : dim
        precondition(
            resolved >= 0 && resolved < rank,
            "\(operation): dimension \(dim) does not exist in a tensor of shape \(shapeText)")
        return resolved
    }

    /// The tensor seen as [outer, size, inner] around dimension `dim`.
    func split(at dim: Int, _ operation: String) -> (outer: Int, size: Int, inner: Int) {
        let d = normalized(dim, operation)
        return (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
    }

    private func reducedShape(_ dim: Int, _ keepDim: Bool) -> [Int] {
        var result = shape
        let d = normalized(dim, "reduce")
        if keepDim { result[d] = 1 } else { result.remove(at: d) }
        return result
    }
}

/// Copies a reduced gradient [outer, inner] back across the reduced dimension: [outer, size, inner].
extension Tensor {
    /// The sum of every line along the middle dimension of [outer, size, inner], in Double.
    func lineSums(outer: Int, size: Int, inner: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for s in 0..<size {
                    for i in 0..<inner { sums[o * inner + i] += Double(x[(o * size + s) * inner + i]) }
                }
            }
        }
        return sums
    }
}

func spread(_ gradient: [Float], outer: Int, size: Int, inner: Int, scale: Float) -> [Float] {
    var result = [Float](repeating: 0, count: outer * size * inner)
    for o in 0..<outer {
        for s in 0..<size {
            for i in 0..<inner { result[(o * size + s) * inner + i] = gradient[o * inner + i] * scale }
        }
    }
    return result
}
