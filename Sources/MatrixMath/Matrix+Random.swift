/// Matrices of seeded random numbers: uniform, normal, and the Kaiming-uniform initialisation
/// PyTorch gives `nn.Linear`.
///
/// Every function takes the generator `inout`, so the same seed gives the same matrices in the
/// same order, on every machine.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let w = Matrix.kaimingUniform(rows: 10, columns: 784, using: &rng)  // like nn.Linear(784, 10)
/// ```
import Random

extension Matrix {
    /// Uniform values in `range` (lower bound included, upper excluded).
    public static func uniform(
        rows: Int, columns: Int, in range: Range<Float>,
        using generator: inout SeededGenerator
    ) -> Matrix {
        let width = range.upperBound - range.lowerBound
        var values = [Float](repeating: 0, count: rows * columns)
        for index in values.indices {
            values[index] = range.lowerBound + width * generator.nextFloat()
        }
        return Matrix(rows: rows, columns: columns, storage: values)
    }

    /// Normally distributed values with the given mean and standard deviation.
    public static func normal(
        rows: Int, columns: Int, mean: Float = 0, std: Float = 1,
        using generator: inout SeededGenerator
    ) -> Matrix {
        var values = [Float](repeating: 0, count: rows * columns)
        for index in values.indices {
            values[index] = mean + std * generator.nextNormal()
        }
        return Matrix(rows: rows, columns: columns, storage: values)
    }

    /// The initialisation of a PyTorch `nn.Linear` weight of shape [out, in] = [rows, columns]:
    /// `kaiming_uniform_(a: sqrt(5))`, which works out to U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
    ///
    /// Derivation: Kaiming's bound is gain * sqrt(3 / fanIn) with gain = sqrt(2 / (1 + a^2));
    /// a = sqrt(5) gives gain = sqrt(1/3), so the bound is sqrt(1/3) * sqrt(3 / fanIn) = 1/sqrt(fanIn).
    /// Keeping the spread proportional to 1/sqrt(fanIn) keeps the variance of each output about the
    /// same whatever the number of inputs. `fanIn` defaults to `columns`; convolution weights pass
    /// in_channels * kh * kw.
    public static func kaimingUniform(
        rows: Int, columns: Int, fanIn: Int? = nil,
        using generator: inout SeededGenerator
    ) -> Matrix {
        let inputs = fanIn ?? columns
        precondition(inputs > 0, "Matrix.kaimingUniform: fan-in must be positive, got \(inputs)")
        let bound = 1 / Float(inputs).squareRoot()
        return uniform(rows: rows, columns: columns, in: -bound..<bound, using: &generator)
    }
}
