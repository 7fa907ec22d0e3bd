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
        // The mask is drawn in order, one number per element, so it depends only on the seed.
        let mask = dropoutMask(count: input.count, keepingAbove: threshold, scale: scale, generator: &generator)
        let output = multiply(input.data, mask)
        let keep = mask
        return Tensor.result(shape: input.shape, data: output, inputs: [input], name: "NativeDropoutBackward0") { gradient, _ in
            [multiply(gradient, keep)]
        }
    }

    public override var extraDescription: String { "p: \(p)" }
}

/// a[i] * b[i] for every i.
private func multiply(_ a: [Float], _ b: [Float]) -> [Float] {
    [Float](uninitializedCount: a.count) { y in
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                for i in 0..<a.count { y[i] = a[i] * b[i] }
            }
        }
    }
}

/// `count` mask values: `scale` where a uniform draw is at least `p`, else 0, drawn in order
/// from `generator`.
///
/// Each 64-bit random number gives two 24-bit uniform draws (its top and bottom halves), compared
/// as integers with p * 2^24: the same test as `nextFloat() >= p`, at half the generator calls.
/// The generator is an `inout` parameter, so the loop keeps its state in registers.
private func dropoutMask(count: Int, keepingAbove p: Float, scale: Float, generator: inout SeededGenerator) -> [Float] {
    let cut = UInt64((Double(p) * 16_777_216).rounded(.up))
    var mask = [Float](repeating: 0, count: count)
    mask.withUnsafeMutableBufferPointer { buffer in
        guard let m = buffer.baseAddress else { return }
        var index = 0
        while index + 1 < count {
            let bits = generator.next()
            m[index] = (bits >> 40) >= cut ? scale : 0
            m[index + 1] = ((bits >> 8) & 0xFF_FFFF) >= cut ? scale : 0
            index += 2
        }
        if index < count { m[index] = (generator.next() >> 40) >= cut ? scale : 0 }
    }
    return mask
}
