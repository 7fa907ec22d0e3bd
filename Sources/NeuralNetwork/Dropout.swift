import Autograd
import MatrixMath

/// Randomly zeroes elements during training (PyTorch's `nn.Dropout`).
///
///     training:   y = x * m / (1 - p),   m_i = 0 with probability p, else 1
///     evaluation: y = x
///
/// Dropping a random part of the activations at every step keeps the network from relying on any
/// single feature, which reduces over-fitting. Dividing the survivors by 1 - p keeps the expected
/// value of each element unchanged, so nothing needs rescaling at evaluation time.
///
/// ## Shape
/// - any -> the same shape
///
/// - Parameters:
///   - p: the probability of zeroing each element, in [0, 1).
///
/// The masks come from the module's own generator, seeded from the default generator when the
/// module is made, so `manualSeed` makes them reproducible.
///
/// ```swift
/// let dropout = Dropout(p: 0.25)
/// model.eval()     // dropout becomes the identity
/// ```
public final class Dropout: Module {
    public let p: Float
    /// The generator of the masks; part of a training run's state.
    public var generator: SeededGenerator

    public init(p: Float = 0.5) {
        precondition(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        self.p = p
        generator = SeededGenerator(seed: DefaultGenerator.withGenerator { $0.next() })
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        guard isTraining && p > 0 else { return input }
        let scale = 1 / (1 - p)
        let threshold = p
        var mask = [Float](repeating: 0, count: input.count)
        for index in mask.indices where generator.nextFloat() >= threshold { mask[index] = scale }
        let x = input.data
        var output = [Float](repeating: 0, count: x.count)
        for index in output.indices { output[index] = x[index] * mask[index] }
        let keep = mask
        return Tensor.result(shape: input.shape, data: output, inputs: [input], name: "NativeDropoutBackward0") { gradient, _ in
            [zip(gradient, keep).map { $0 * $1 }]
        }
    }

    public override var extraDescription: String { "p: \(p)" }
}
