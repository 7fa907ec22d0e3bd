import Autograd
import MatrixMath
import Parallel
import Random

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
        // The mask is drawn in order, one number per element, so it depends only on the seed; each
        // output is made as its mask value is drawn, on all cores.
        let (mask, output) = dropoutMask(
            count: input.count, keepingAbove: threshold, scale: scale, generator: &generator, times: input.data)
        // Recorded as PyTorch's CPU dropout records it: input * mask (`MulBackward0`), the mask a
        // constant that needs no gradient.
        let maskTensor = Tensor(shape: input.shape, data: mask)
        return Tensor.result(shape: input.shape, data: output, inputs: [input, maskTensor], name: "MulBackward0") {
            gradient, needs in
            guard needs[0] else { return [nil, nil] }
            // Scaled in place: the engine hands the gradient over (see `ReluBackward0`).
            var dx = consume gradient
            dx.withUnsafeMutableBufferPointer { g in
                mask.withUnsafeBufferPointer { m in
                    guard let gBase = g.baseAddress, let mBase = m.baseAddress else { return }
                    parallelFor(g.count, minimumPerThread: 1 << 15) { range in
                        for i in range { gBase[i] *= mBase[i] }
                    }
                }
            }
            return [dx, nil]
        }
    }

    public override var extraDescription: String { "p: \(p)" }
}

/// `count` mask values: `scale` where a uniform draw is at least `p`, else 0; and `input` times
/// the mask, each product made as its mask value is drawn.
///
/// The mask is cut into chunks of 65,536 values; each chunk draws from its own generator, seeded
/// in order from `generator`, so the chunks can be filled on all cores at once and the mask still
/// depends only on the seed (not on the number of threads). Each 64-bit random number gives two
/// 24-bit uniform draws (its top and bottom halves), compared as integers with p * 2^24: the same
/// test as `nextFloat() >= p`, at half the generator calls.
private func dropoutMask(
    count: Int, keepingAbove p: Float, scale: Float, generator: inout SeededGenerator, times input: [Float]
) -> (mask: [Float], output: [Float]) {
    let cut = UInt64((Double(p) * 16_777_216).rounded(.up))
    let chunk = 1 << 16
    let chunks = (count + chunk - 1) / chunk
    let seeds = (0..<chunks).map { _ in generator.next() }
    var output: [Float] = []
    let mask = [Float](uninitializedCount: count) { m in
        output = [Float](uninitializedCount: count) { y in
            input.withUnsafeBufferPointer { x in
                guard let x = x.baseAddress else { return }
                parallelFor(chunks) { range in
                    for index in range {
                        var random = SeededGenerator(seed: seeds[index])
                        let start = index * chunk, end = Swift.min(count, start + chunk)
                        var position = start
                        while position + 1 < end {
                            let bits = random.next()
                            m[position] = (bits >> 40) >= cut ? scale : 0
                            m[position + 1] = ((bits >> 8) & 0xFF_FFFF) >= cut ? scale : 0
                            y[position] = x[position] * m[position]
                            y[position + 1] = x[position + 1] * m[position + 1]
                            position += 2
                        }
                        if position < end {
                            m[position] = (random.next() >> 40) >= cut ? scale : 0
                            y[position] = x[position] * m[position]
                        }
                    }
                }
            }
        }
    }
    return (mask, output)
}
