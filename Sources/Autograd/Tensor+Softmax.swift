import Foundation
import MatrixMath

/// Softmax and log-softmax along a dimension, with the maximum subtracted first so that large
/// scores never overflow. The values come from MatrixMath's `SoftmaxKernel`, the same code as
/// tutorial 02's `Matrix.softmax`; the backward passes are below.
///
///     softmax:     y_i = e^{x_i} / sum_j e^{x_j}
///                  dx = y * (g - sum_j g_j y_j)
///     logSoftmax:  y_i = x_i - log sum_j e^{x_j}
///                  dx = g - softmax(x) * sum_j g_j
///
/// Derivation of the log-softmax backward: dy_i/dx_k = delta_ik - softmax_k, so
/// dx_k = sum_i g_i (delta_ik - softmax_k) = g_k - softmax_k sum_i g_i. The softmax backward
/// follows the same way from dy_i/dx_k = y_i (delta_ik - y_k).
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
        let y = SoftmaxKernel.softmax(data, outer: outer, size: size, inner: inner)
        return Tensor.result(shape: shape, data: y, inputs: [self], name: "SoftmaxBackward0") { g, _ in
            var dx = [Float](repeating: 0, count: g.count)
            SoftmaxKernel.forEachLine(outer: outer, size: size, inner: inner) { base in
                var dot = 0.0
                for s in 0..<size { dot += Double(g[base + s * inner]) * Double(y[base + s * inner]) }
                for s in 0..<size {
                    let index = base + s * inner
                    dx[index] = y[index] * (g[index] - Float(dot))
                }
            }
            return [dx]
        }
    }

    public func logSoftmax(dim: Int) -> Tensor {
        let (outer, size, inner) = split(at: dim, "logSoftmax")
        let y = SoftmaxKernel.logSoftmax(data, outer: outer, size: size, inner: inner)
        return Tensor.result(shape: shape, data: y, inputs: [self], name: "LogSoftmaxBackward0") { g, _ in
            var dx = [Float](repeating: 0, count: g.count)
            SoftmaxKernel.forEachLine(outer: outer, size: size, inner: inner) { base in
                var total = 0.0
                for s in 0..<size { total += Double(g[base + s * inner]) }
                for s in 0..<size {
                    let index = base + s * inner
                    dx[index] = g[index] - Foundation.exp(y[index]) * Float(total)
                }
            }
            return [dx]
        }
    }
}
