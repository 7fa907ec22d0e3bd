/// NumPy/PyTorch broadcasting, for elementwise operations on tensors of different shapes.
///
/// Shapes are aligned at their last dimension; going left, each pair of sizes must be equal or one
/// of them 1 (a missing dimension counts as 1). The result takes the larger size, and a size-1
/// dimension is read again and again (stride 0). So a bias of shape [10] adds to every row of a
/// [64, 10] batch, and a [64, 1] column scales each row.
///
/// The gradient of a broadcast input is the output gradient *summed over the dimensions it was
/// repeated along*: each copy contributed, so each copy's gradient adds up.
enum Broadcasting {
    /// The shape `a` and `b` broadcast to, or nil when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 0, count: rank)
        for position in 0..<rank {
            let x = position < rank - a.count ? 1 : a[position - (rank - a.count)]
            let y = position < rank - b.count ? 1 : b[position - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else { return nil }
            result[position] = Swift.max(x, y)
        }
        return result
    }

    /// The strides for reading a tensor of `shape` as if it had `target` shape: 0 along every
    /// dimension it is broadcast over.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for position in stride(from: shape.count - 1, through: 0, by: -1) {
            let targetPosition = position + target.count - shape.count
            strides[targetPosition] = shape[position] == 1 ? 0 : step
            step *= shape[position]
        }
        return strides
    }

    /// Calls `body(outputIndex, aOffset, bOffset)` for every element of the broadcast shape,
    /// walking a multi-dimensional counter so no division is needed per element.
    static func forEach(
        _ target: [Int], _ aStrides: [Int], _ bStrides: [Int],
        _ body: (Int, Int, Int) -> Void
    ) {
        let total = target.reduce(1, *)
        guard total > 0 else { return }
        let rank = target.count
        if rank == 0 {
            body(0, 0, 0)
            return
        }
        var counter = [Int](repeating: 0, count: rank)
        var aOffset = 0, bOffset = 0
        let last = rank - 1
        let innerSize = target[last], aInner = aStrides[last], bInner = bStrides[last]
        var index = 0
        while index < total {
            // The innermost dimension as a plain loop.
            for inner in 0..<innerSize {
                body(index + inner, aOffset + inner * aInner, bOffset + inner * bInner)
            }
            index += innerSize
            // Carry into the outer dimensions.
            var dimension = last - 1
            while dimension >= 0 {
                counter[dimension] += 1
                aOffset += aStrides[dimension]
                bOffset += bStrides[dimension]
                if counter[dimension] < target[dimension] { break }
                aOffset -= aStrides[dimension] * target[dimension]
                bOffset -= bStrides[dimension] * target[dimension]
                counter[dimension] = 0
                dimension -= 1
            }
        }
    }

    /// Sums a gradient of the broadcast shape `from` back down to `shape`: the gradient of an
    /// input that was broadcast.
    static func reduce(_ gradient: [Float], from target: [Int], to shape: [Int]) -> [Float] {
        if target == shape { return gradient }
        var sums = [Double](repeating: 0, count: shape.reduce(1, *))
        let strides = strides(of: shape, broadcastTo: target)
        gradient.withUnsafeBufferPointer { g in
            sums.withUnsafeMutableBufferPointer { s in
                forEach(target, strides, strides) { index, offset, _ in
                    s[offset] += Double(g[index])
                }
            }
        }
        return sums.map { Float($0) }
    }
}
