import Foundation

/// Softmax and log-softmax along a dimension, with the maximum subtracted first so that large
/// scores never overflow (see MatrixMath's `softmax` for that argument).
///
///     softmax:     y_i = e^{x_i} / sum_j e^{x_j}
///                  dx = y * (g - sum_j g_j y_j)
///     logSoftmax:  y_i = x_i - log sum_j e^{x_j}
///                  dx = g - softmax(x) * sum_j g_j
///
/// Derivation of the log-softmax backward: dy_i/dx_k = delta_ik - softmax_k, so
/// dx_k = sum_i g_i (delta_ik - softmax_k) = g_k - softmax_k sum_i g_i.
///
/// ## Shape
/// - any -> the same shape; the values along `dim` form each distribution
///
/// ```swift
/// let logProbabilities = logits.logSoftmax(dim: 1)   // [n, classes]
/// ```
extension Tensor {
    public func softmax(dim: Int) -> Tensor {
        let (outer, size, inner) = split(at: dim, "softmax")
        let y = Tensor.softmaxValues(data, outer: outer, size: size, inner: inner)
        return Tensor.result(shape: shape, data: y, inputs: [self], name: "SoftmaxBackward0") { g, _ in
            var dx = [Float](repeating: 0, count: g.count)
            Tensor.forEachLine(outer: outer, size: size, inner: inner) { base in
                var dot: Float = 0
                for s in 0..<size { dot += g[base + s * inner] * y[base + s * inner] }
                for s in 0..<size {
                    let index = base + s * inner
                    dx[index] = y[index] * (g[index] - dot)
                }
            }
            return [dx]
        }
    }

    public func logSoftmax(dim: Int) -> Tensor {
        let (outer, size, inner) = split(at: dim, "logSoftmax")
        let x = data
        var y = [Float](repeating: 0, count: count)
        Tensor.forEachLine(outer: outer, size: size, inner: inner) { base in
            var maximum = -Float.infinity
            for s in 0..<size { maximum = Swift.max(maximum, x[base + s * inner]) }
            var total: Float = 0
            for s in 0..<size { total += Foundation.exp(x[base + s * inner] - maximum) }
            let logSum = maximum + Foundation.log(total)
            for s in 0..<size { y[base + s * inner] = x[base + s * inner] - logSum }
        }
        let values = y
        return Tensor.result(shape: shape, data: y, inputs: [self], name: "LogSoftmaxBackward0") { g, _ in
            var dx = [Float](repeating: 0, count: g.count)
            Tensor.forEachLine(outer: outer, size: size, inner: inner) { base in
                var total: Float = 0
                for s in 0..<size { total += g[base + s * inner] }
                for s in 0..<size {
                    let index = base + s * inner
                    dx[index] = g[index] - Foundation.exp(values[index]) * total
                }
            }
            return [dx]
        }
    }

    static func softmaxValues(_ x: [Float], outer: Int, size: Int, inner: Int) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        forEachLine(outer: outer, size: size, inner: inner) { base in
            var maximum = -Float.infinity
            for s in 0..<size { maximum = Swift.max(maximum, x[base + s * inner]) }
            var total: Float = 0
            for s in 0..<size {
                let e = Foundation.exp(x[base + s * inner] - maximum)
                y[base + s * inner] = e
                total += e
            }
            for s in 0..<size { y[base + s * inner] /= total }
        }
        return y
    }

    /// Calls `body` with the offset of the first element of every line along the middle
    /// dimension of [outer, size, inner]; the line's elements are `inner` apart.
    static func forEachLine(outer: Int, size: Int, inner: Int, _ body: (Int) -> Void) {
        for o in 0..<outer {
            for i in 0..<inner { body(o * size * inner + i) }
        }
    }
}
