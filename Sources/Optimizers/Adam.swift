import Autograd
import Foundation
import NeuralNetwork

/// Adam (Kingma and Ba, 2015) with PyTorch's defaults and formula (`torch.optim.Adam`):
///
///     g = grad + weightDecay * p
///     m = beta1 * m + (1 - beta1) * g                running mean of gradients
///     v = beta2 * v + (1 - beta2) * g^2              running mean of squared gradients
///     p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// Each parameter gets its own step size: large where gradients have been small and steady, small
/// where they have been large or noisy. The (1 - beta^t) factors undo the bias of m and v starting
/// at zero.
///
/// ```swift
/// let optimizer = Adam(parameters: model.parameters())     // lr 1e-3, betas (0.9, 0.999)
/// ```
public final class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    private var firstMoments: ParameterBuffers
    private var secondMoments: ParameterBuffers
    /// Steps taken for each parameter (a parameter without a gradient in a step does not count).
    private var steps: [Int]

    public init(
        parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        epsilon: Float = 1e-8, weightDecay: Float = 0
    ) {
        precondition(
            (0..<1).contains(betas.0) && (0..<1).contains(betas.1), "Adam: betas must be in [0, 1), got \(betas)")
        (beta1, beta2) = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = ParameterBuffers(count: parameters.count)
        secondMoments = ParameterBuffers(count: parameters.count)
        steps = [Int](repeating: 0, count: parameters.count)
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public override func update(parameter index: Int, values: inout [Float], gradient: [Float]) {
        steps[index] += 1
        let t = Float(steps[index])
        let stepSize = learningRate / (1 - Foundation.pow(beta1, t))
        let correction2 = (1 - Foundation.pow(beta2, t)).squareRoot()
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        firstMoments.with(index, size: values.count) { m in
            secondMoments.with(index, size: values.count) { v in
                forEachElement(&values, gradient, &m, &v) { p, grad, m, v in
                    let g = decay == 0 ? grad : grad + decay * p
                    m = b1 * m + (1 - b1) * g
                    v = b2 * v + (1 - b2) * g * g
                    p -= stepSize * m / (v.fastSquareRoot() / correction2 + eps)
                }
            }
        }
    }

    public override func stateTensors() -> [(name: String, values: [Float])] {
        firstMoments.named("exp_avg") + secondMoments.named("exp_avg_sq")
            + [("step", steps.map(Float.init))]
    }

    public override func loadStateTensors(_ state: [(name: String, values: [Float])]) throws {
        // Everything is checked before anything changes.
        var restoredSteps = steps
        if let saved = state.first(where: { $0.name == "step" })?.values {
            guard saved.count == steps.count else {
                throw OptimizerStateError(
                    reason: "step counts for \(saved.count) parameters, the optimizer has \(steps.count)")
            }
            // A step count is a whole number from 0 to 2^24 (where Float still counts exactly);
            // anything else (NaN, 1e30, -3, 2.5) comes from a damaged or forged checkpoint.
            if let bad = saved.first(where: { !($0 >= 0 && $0 <= 16_777_216 && $0 == $0.rounded()) }) {
                throw OptimizerStateError(reason: "a step count of \(bad) is not a whole number from 0 to 2^24")
            }
            restoredSteps = saved.map { Int($0) }
        }
        if let negative = state.first(where: { $0.name.hasPrefix("exp_avg_sq.") && $0.values.contains { $0 < 0 } }) {
            throw OptimizerStateError(reason: "state '\(negative.name)' holds a negative mean square")
        }
        let sizes = parameters.map(\.count)
        var first = firstMoments, second = secondMoments
        try first.load("exp_avg", from: state, sizes: sizes)
        try second.load("exp_avg_sq", from: state, sizes: sizes)
        (firstMoments, secondMoments, steps) = (first, second, restoredSteps)
    }
}
