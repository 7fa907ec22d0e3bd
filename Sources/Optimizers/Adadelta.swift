import Autograd
import NeuralNetwork

/// Adadelta (Zeiler, 2012) as PyTorch's `torch.optim.Adadelta` (lr 1.0, rho 0.9, eps 1e-6):
///
///     g = grad + weightDecay * p
///     s = rho * s + (1 - rho) * g^2                          running mean of squared gradients
///     delta = sqrt(u + eps) / sqrt(s + eps) * g               step in the units of p
///     u = rho * u + (1 - rho) * delta^2                       running mean of squared steps
///     p = p - lr * delta
///
/// The ratio of the two running averages gives each parameter a step size with the right units
/// and no hand-tuned rate (lr stays 1.0); it is the optimiser of PyTorch's MNIST example.
///
/// ```swift
/// let optimizer = Adadelta(parameters: model.parameters(), learningRate: 1.0)
/// ```
public final class Adadelta: Optimizer {
    public let rho: Float
    public let epsilon: Float
    public let weightDecay: Float
    private var squareAverages: ParameterBuffers
    private var deltaAverages: ParameterBuffers

    public init(
        parameters: [Parameter], learningRate: Float = 1.0, rho: Float = 0.9, epsilon: Float = 1e-6,
        weightDecay: Float = 0
    ) {
        precondition(rho >= 0 && rho <= 1, "Adadelta: rho must be in [0, 1], got \(rho)")
        self.rho = rho
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        squareAverages = ParameterBuffers(count: parameters.count)
        deltaAverages = ParameterBuffers(count: parameters.count)
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public override func update(parameter index: Int, values: inout [Float], gradient: [Float]) {
        let (rho, eps, decay, lr) = (rho, epsilon, weightDecay, learningRate)
        squareAverages.with(index, size: values.count) { s in
            deltaAverages.with(index, size: values.count) { u in
                forEachElement(&values, gradient, &s, &u) { p, grad, s, u in
                    let g = decay == 0 ? grad : grad + decay * p
                    s = rho * s + (1 - rho) * g * g
                    let delta = (u + eps).fastSquareRoot() / (s + eps).fastSquareRoot() * g
                    u = rho * u + (1 - rho) * delta * delta
                    p -= lr * delta
                }
            }
        }
    }

    public override func stateTensors() -> [(name: String, values: [Float])] {
        squareAverages.named("square_avg") + deltaAverages.named("acc_delta")
    }

    public override func loadStateTensors(_ state: [(name: String, values: [Float])]) throws {
        let sizes = parameters.map(\.count)
        try squareAverages.load("square_avg", from: state, sizes: sizes)
        try deltaAverages.load("acc_delta", from: state, sizes: sizes)
    }
}
