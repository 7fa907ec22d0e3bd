/// Softmax and log-softmax, the step from a classifier's raw scores (logits) to probabilities.
///
///     softmax(z)_j     = exp(z_j) / sum_k exp(z_k)
///     logSoftmax(z)_j  = z_j - log sum_k exp(z_k)
///
/// Computed naively, exp(1000) overflows to infinity and the ratio becomes NaN. Both are unchanged
/// when the same constant is subtracted from every z_k (it cancels between numerator and
/// denominator), so the row's maximum m is subtracted first: every exponent is then <= 0, the
/// largest term is exactly exp(0) = 1, and the sum is between 1 and n. This is the
/// "log-sum-exp trick": log sum_k exp(z_k) = m + log sum_k exp(z_k - m). Both are computed by
/// `SoftmaxKernel`, which autograd's `Tensor.softmax` shares.
///
/// ## Shape
/// - input [m, n] -> [m, n]; with `dim: 1` each row sums to 1 (dim 0: each column).
///
/// ```swift
/// let p = Matrix([[1, 2, 3]]).softmax(dim: 1)   // [[0.0900, 0.2447, 0.6652]]
/// let big = Matrix([[1e4, 0]]).softmax(dim: 1)  // [[1.0000, 0.0000]], no NaN
/// ```
extension Matrix {
    /// Probabilities along `dim` (1: each row is a distribution over columns).
    public func softmax(dim: Int = 1) -> Matrix {
        let (outer, size, inner) = lines(along: dim, "softmax")
        return Matrix(
            rows: rows, columns: columns,
            storage: SoftmaxKernel.softmax(storage, outer: outer, size: size, inner: inner))
    }

    /// Log-probabilities along `dim`: the logarithm of `softmax`, computed without ever taking the
    /// logarithm of a probability that underflowed to 0.
    public func logSoftmax(dim: Int = 1) -> Matrix {
        let (outer, size, inner) = lines(along: dim, "logSoftmax")
        return Matrix(
            rows: rows, columns: columns,
            storage: SoftmaxKernel.logSoftmax(storage, outer: outer, size: size, inner: inner))
    }

    /// The rows (dim 1) or columns (dim 0) as the [outer, size, inner] lines of `SoftmaxKernel`.
    private func lines(along dim: Int, _ name: String) -> (outer: Int, size: Int, inner: Int) {
        switch dim {
        case 1: return (rows, columns, 1)
        case 0: return (1, rows, columns)
        default: preconditionFailure("Matrix.\(name)(dim: \(dim)): a matrix has dimensions 0 (rows) and 1 (columns)")
        }
    }
}
