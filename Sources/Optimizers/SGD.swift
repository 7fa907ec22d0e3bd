import Autograd
import NeuralNetwork

/// Stochastic gradient descent, with optional momentum, dampening, Nesterov momentum and weight
/// decay, exactly as PyTorch's `torch.optim.SGD`:
///
///     g = grad + weightDecay * p
///     with momentum:  v = g                                  on the first step
///                     v = momentum * v + (1 - dampening) * g  afterwards
///                     g = g + momentum * v   (Nesterov)   or   g = v
///     p = p - lr * g
///
/// Momentum keeps a running direction, so steps that agree build speed and steps that disagree
/// (noise between batches) cancel.
///
/// ```swift
/// let optimizer = SGD(parameters: model.parameters(), learningRate: 0.1, momentum: 0.9)
/// ```
public final class SGD: Optimizer {
    public let momentum: Float
    public let dampening: Float
    public let nesterov: Bool
    public let weightDecay: Float
    private var velocities: ParameterBuffers

    public init(
        parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
        nesterov: Bool = false, weightDecay: Float = 0
    ) {
        precondition(momentum >= 0, "SGD: momentum must not be negative, got \(momentum)")
        precondition(
            !nesterov || (momentum > 0 && dampening == 0),
            "SGD: Nesterov momentum requires momentum > 0 and dampening 0")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        velocities = ParameterBuffers(count: parameters.count)
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public override func update(parameter index: Int, values: inout [Float], gradient: [Float]) {
        let (lr, decay, momentum, dampening, nesterov) = (learningRate, weightDecay, momentum, dampening, nesterov)
        guard momentum != 0 else {
            var unused: [Float] = [], alsoUnused: [Float] = []
            forEachElement(&values, gradient, &unused, &alsoUnused) { p, grad, _, _ in
                p -= lr * (grad + decay * p)
            }
            return
        }
        // PyTorch starts the velocity at the first gradient itself, not at momentum * 0 + g.
        let isFirst = velocities.buffers[index] == nil
        velocities.with(index, size: values.count) { v in
            var unused: [Float] = []
            forEachElement(&values, gradient, &v, &unused) { p, grad, v, _ in
                let g = grad + decay * p
                v = isFirst ? g : momentum * v + (1 - dampening) * g
                p -= lr * (nesterov ? g + momentum * v : v)
            }
        }
    }

    public override func stateTensors() -> [(name: String, values: [Float])] { velocities.named("momentum") }

    public override func loadStateTensors(_ state: [(name: String, values: [Float])]) throws {
        try velocities.load("momentum", from: state, sizes: parameters.map(\.count))
    }
}
