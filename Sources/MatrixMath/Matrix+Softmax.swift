import Foundation

/// Softmax and log-softmax, the step from a classifier's raw scores (logits) to probabilities.
///
///     softmax(z)_j     = exp(z_j) / sum_k exp(z_k)
///     logSoftmax(z)_j  = z_j - log sum_k exp(z_k)
///
/// Computed naively, exp(1000) overflows to infinity and the ratio becomes NaN. Both are unchanged
/// when the same constant is subtracted from every z_k (it cancels between numerator and
/// denominator), so the row's maximum m is subtracted first: every exponent is then <= 0, the
/// largest term is exactly exp(0) = 1, and the sum is between 1 and n. This is the
/// "log-sum-exp trick": log sum_k exp(z_k) = m + log sum_k exp(z_k - m).
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
        alongDimension(dim, "softmax") { row in
            let maximum = row.max()!
            var exponentials = row.map { Foundation.exp($0 - maximum) }
            var total = 0.0
            for value in exponentials { total += Double(value) }
            let scale = Float(1 / total)
            for index in exponentials.indices { exponentials[index] *= scale }
            return exponentials
        }
    }

    /// Log-probabilities along `dim`: the logarithm of `softmax`, computed without ever taking the
    /// logarithm of a probability that underflowed to 0.
    public func logSoftmax(dim: Int = 1) -> Matrix {
        alongDimension(dim, "logSoftmax") { row in
            let maximum = row.max()!
            var total = 0.0
            for value in row { total += Foundation.exp(Double(value - maximum)) }
            let logSum = maximum + Float(Foundation.log(total))
            return row.map { $0 - logSum }
        }
    }

    /// Applies `transform` to every row (dim 1) or column (dim 0).
    private func alongDimension(_ dim: Int, _ name: String, _ transform: ([Float]) -> [Float]) -> Matrix {
        switch dim {
        case 1:
            guard columns > 0 else { return self }
            var result = self
            for i in 0..<rows {
                result.storage.replaceSubrange(i * columns ..< (i + 1) * columns, with: transform(row(i)))
            }
            return result
        case 0:
            return transposed().alongDimension(1, name, transform).transposed()
        default:
            preconditionFailure("Matrix.\(name)(dim: \(dim)): a matrix has dimensions 0 (rows) and 1 (columns)")
        }
    }
}
