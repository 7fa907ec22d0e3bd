import Foundation

/// Softmax and log-softmax of every line of a row-major array, the raw kernels under both
/// `Matrix.softmax` (tutorial 02's hand-derived model) and `Tensor.softmax` (autograd's), so the
/// two stages compute the same numbers the same way.
///
///     softmax(z)_j     = exp(z_j - m) / sum_k exp(z_k - m)
///     logSoftmax(z)_j  = z_j - m - log sum_k exp(z_k - m),      m = max_k z_k
///
/// Subtracting the line's maximum m changes neither result (it cancels between numerator and
/// denominator) but keeps every exponent <= 0, so exp never overflows: the "log-sum-exp trick".
/// The sums are accumulated in `Double`: a line can hold thousands of terms.
///
/// ## Shape
/// The array is [outer, size, inner], row-major; each line runs along the middle dimension, its
/// `size` elements `inner` apart. A matrix's rows are [rows, columns, 1]; its columns
/// [1, rows, columns]; dimension d of a tensor is [product of the sizes before d, size of d,
/// product of the sizes after d].
///
/// ```swift
/// let p = SoftmaxKernel.softmax([1, 2, 3], outer: 1, size: 3, inner: 1)   // [0.090, 0.245, 0.665]
/// ```
public enum SoftmaxKernel {
    public static func softmax(_ x: [Float], outer: Int, size: Int, inner: Int) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        forEachLine(outer: outer, size: size, inner: inner) { base in
            let maximum = lineMaximum(x, base: base, size: size, inner: inner)
            var total = 0.0
            for s in 0..<size {
                let e = Foundation.exp(x[base + s * inner] - maximum)
                y[base + s * inner] = e
                total += Double(e)
            }
            let scale = Float(1 / total)
            for s in 0..<size { y[base + s * inner] *= scale }
        }
        return y
    }

    public static func logSoftmax(_ x: [Float], outer: Int, size: Int, inner: Int) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        forEachLine(outer: outer, size: size, inner: inner) { base in
            let maximum = lineMaximum(x, base: base, size: size, inner: inner)
            var total = 0.0
            for s in 0..<size { total += Foundation.exp(Double(x[base + s * inner] - maximum)) }
            let logSum = maximum + Float(Foundation.log(total))
            for s in 0..<size { y[base + s * inner] = x[base + s * inner] - logSum }
        }
        return y
    }

    /// Calls `body` with the offset of the first element of every line along the middle
    /// dimension of [outer, size, inner]; the line's elements are `inner` apart.
    public static func forEachLine(outer: Int, size: Int, inner: Int, _ body: (Int) -> Void) {
        for o in 0..<outer {
            for i in 0..<inner { body(o * size * inner + i) }
        }
    }

    private static func lineMaximum(_ x: [Float], base: Int, size: Int, inner: Int) -> Float {
        var maximum = -Float.infinity
        for s in 0..<size { maximum = Swift.max(maximum, x[base + s * inner]) }
        return maximum
    }
}
