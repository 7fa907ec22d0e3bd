import Autograd
import Random

/// A tensor of seeded random values for gradient checks and reference comparisons, each of
/// magnitude `margin` to `margin + 1.5` with a random sign (or always positive): away from 0,
/// where relu, abs and log have kinks or blow up, and without ties, where max pooling's gradient
/// is not defined.
///
/// ```swift
/// let x = randomTensor([2, 3, 5, 5], seed: 1)       // requires a gradient
/// ```
public func randomTensor(
    _ shape: [Int], seed: UInt64, margin: Float = 0.1, positive: Bool = false,
    requiresGrad: Bool = true
) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    let values = (0..<shape.reduce(1, *)).map { _ -> Float in
        let magnitude = margin + generator.nextFloat() * 1.5
        return positive || generator.next() & 1 == 0 ? magnitude : -magnitude
    }
    return Tensor(shape: shape, data: values, requiresGrad: requiresGrad)
}
