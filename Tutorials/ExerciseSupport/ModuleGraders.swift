import Autograd
import Foundation
import NeuralNetwork
import Optimizers

/// The graders of tutorial 04's exercises: a Module built from Parameters, and the SGD-with-
/// momentum and Adam updates, checked against the library's optimisers step by step.
public enum ModuleGraders {
    public static func twoLayerNetwork(_ make: (Int, Int, Int) throws -> Module, grader: Grader) throws {
        let (inputs, hidden, outputs) = (5, 7, 3)
        let network = try make(inputs, hidden, outputs)
        let named = Dictionary(
            network.namedParameters().map { ($0.name, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        let shapes = [
            "weight1": [hidden, inputs], "bias1": [hidden], "weight2": [outputs, hidden], "bias2": [outputs],
        ]
        try grader.check(
            "parameters(): weight1 7x5, bias1 7, weight2 3x7, bias2 3 for 5 inputs, 7 hidden, 3 outputs",
            hint:
                "store each as `public let weight1: Parameter` (a Parameter, not a plain Tensor, or parameters() cannot "
                + "find it), shaped [out, in] as PyTorch's Linear"
        ) {
            for (name, shape) in shapes.sorted(by: { $0.key < $1.key }) {
                guard let parameter = named[name] else {
                    throw Mismatch(
                        detail: "no Parameter named \(name) (found: \(named.keys.sorted().joined(separator: ", ")))")
                }
                try expect(parameter.shape == shape, "\(name) has shape \(parameter.shapeText), expected \(shape)")
            }
            try expect(named.count == 4, "\(named.count) parameters, expected 4")
        }
        try grader.check(
            "each starts uniform in ±1/sqrt(fan_in), and not all equal",
            hint: "layer 1's fan_in is the inputs (bound 1/sqrt(5)), layer 2's the hidden units (1/sqrt(7)); equal "
                + "weights would make every hidden unit learn the same thing"
        ) {
            for (name, fanIn) in [("weight1", inputs), ("bias1", inputs), ("weight2", hidden), ("bias2", hidden)] {
                let values = named[name]!.data
                let bound = 1 / Float(fanIn).squareRoot()
                try expect(
                    values.allSatisfy { abs($0) <= bound + 1e-6 },
                    "\(name) has a value \(values.map(abs).max()!) beyond 1/sqrt(\(fanIn)) = \(bound)")
                try expect(Set(values).count > 1, "every value of \(name) is \(values[0])")
            }
        }
        /// The network's function, by plain loops in Double from the parameters' values.
        func expected(_ p: [String: [Double]], input: [Float], relu: Bool = true) -> (
            output: [Double], smallest: Double
        ) {
            var output: [Double] = []
            var smallest = Double.infinity  // the pre-activation closest to ReLU's kink
            for row in 0..<3 {
                var h = [Double](repeating: 0, count: hidden)
                for j in 0..<hidden {
                    var sum = p["bias1"]![j]
                    for i in 0..<inputs { sum += Double(input[row * inputs + i]) * p["weight1"]![j * inputs + i] }
                    smallest = Swift.min(smallest, abs(sum))
                    h[j] = relu ? Swift.max(0, sum) : sum
                }
                for o in 0..<outputs {
                    var sum = p["bias2"]![o]
                    for j in 0..<hidden { sum += h[j] * p["weight2"]![o * hidden + j] }
                    output.append(sum)
                }
            }
            return (output, smallest)
        }
        let values = named.mapValues { $0.data.map(Double.init) }
        // A batch whose hidden pre-activations all keep 0.01 away from ReLU's kink, so central
        // differences with steps of 1e-4 never straddle it.
        let input =
            (41..<141).lazy.map { randomValues(3 * inputs, seed: UInt64($0), in: -2...2) }
            .first { expected(values, input: $0).smallest > 0.01 } ?? randomValues(3 * inputs, seed: 41, in: -2...2)
        let x = Tensor(shape: [3, inputs], data: input)
        try grader.check(
            "forward of a batch of 3 is relu(x W1^T + b1) W2^T + b2",
            hint: "x.matmul(weight1.transposed()) + bias1, then .relu(), then the same with weight2 and bias2"
        ) {
            let output = network(x)
            try expect(
                output.shape == [3, outputs], "the output has shape \(output.shapeText), expected [3, \(outputs)]")
            try expectClose(
                output.data, expected(values, input: input).output.map(Float.init), shape: [3, outputs],
                what: "the output",
                mistakes: [
                    ("no ReLU between the layers", expected(values, input: input, relu: false).output.map(Float.init))
                ])
        }
        try grader.check(
            "backward() reaches every parameter, with gradients that match central differences",
            hint: "build forward from Tensor operations on the Parameters themselves (not on copies of .data), so "
                + "autograd records every step"
        ) {
            network.zeroGrad()
            network(x).sum().backward()
            for name in shapes.keys.sorted() {
                let parameter = named[name]!
                guard let grad = parameter.grad else { throw Mismatch(detail: "\(name) received no gradient") }
                let numeric = centralDifferences(
                    { point in
                        var changed = values
                        changed[name] = point
                        return expected(changed, input: input).output.reduce(0, +)
                    }, at: values[name]!)
                try expectClose(grad.data, numeric, shape: parameter.shape, what: "\(name)'s gradient", tolerance: 1e-3)
            }
        }
    }

    public typealias SGDStep = (inout [Float], [Float], inout [Float]?, Float, Float, Float) throws -> Void

    /// Runs the learner's step and the library's SGD side by side on the same gradients.
    static func compareSGD(
        _ learner: SGDStep, learningRates: [Float], momentum: Float, weightDecay: Float, seed: UInt64
    ) throws {
        let start = randomValues(6, seed: seed)
        var mine = start
        var velocity: [Float]? = nil
        let parameter = Parameter(shape: [6], data: start)
        let library = SGD(
            parameters: [parameter], learningRate: learningRates[0], momentum: momentum, weightDecay: weightDecay)
        var withoutMomentum = start
        for (step, rate) in learningRates.enumerated() {
            let gradient = randomValues(6, seed: seed + UInt64(step) + 1)
            try learner(&mine, gradient, &velocity, rate, momentum, weightDecay)
            parameter.grad = Tensor(shape: [6], data: gradient)
            library.learningRate = rate
            library.step()
            for i in 0..<6 { withoutMomentum[i] -= rate * (gradient[i] + weightDecay * withoutMomentum[i]) }
            try expectClose(
                mine, parameter.data, shape: [6], what: "the parameter after step \(step + 1)",
                mistakes: step == 0 ? [] : [("no momentum (a velocity that is never kept)", withoutMomentum)])
        }
    }

    public static func sgdMomentumStep(_ learner: SGDStep, grader: Grader) throws {
        try grader.check(
            "the first step: the velocity is the gradient, p -= lr g",
            hint: "on the first step (velocity nil) set velocity = g; then p[i] -= learningRate * velocity[i]"
        ) { try compareSGD(learner, learningRates: [0.1], momentum: 0.9, weightDecay: 0, seed: 1) }
        try grader.check(
            "four steps with momentum 0.9: the velocity carries the earlier gradients",
            hint: "after the first step v = momentum * v + g, and store it back in `velocity`"
        ) { try compareSGD(learner, learningRates: [0.1, 0.1, 0.1, 0.1], momentum: 0.9, weightDecay: 0, seed: 2) }
        try grader.check(
            "weight decay 0.01 joins the gradient before the momentum",
            hint: "g = gradient + weightDecay * p comes first; the velocity is built from that g"
        ) { try compareSGD(learner, learningRates: [0.1, 0.1, 0.1], momentum: 0.9, weightDecay: 0.01, seed: 3) }
        try grader.check(
            "the learning rate halves after two steps (as StepLR does): the velocity holds gradients, not steps",
            hint: "PyTorch keeps v = momentum * v + g and multiplies by the current learning rate only when stepping; "
                + "a velocity of steps (v = momentum * v + lr * g) remembers old learning rates"
        ) { try compareSGD(learner, learningRates: [0.2, 0.2, 0.1, 0.1], momentum: 0.9, weightDecay: 0, seed: 4) }
    }

    public typealias AdamStep = (inout [Float], [Float], inout [Float], inout [Float], Int, Float, Float, Float, Float)
        throws -> Void

    /// Runs the learner's step and the library's Adam side by side for `steps` steps.
    static func compareAdam(_ learner: AdamStep, steps: Int, gradientScale: Float, epsilon: Float, seed: UInt64) throws
    {
        let start = randomValues(5, seed: seed)
        var mine = start
        var m = [Float](repeating: 0, count: 5), v = [Float](repeating: 0, count: 5)
        let parameter = Parameter(shape: [5], data: start)
        let library = Adam(parameters: [parameter], learningRate: 0.01, epsilon: epsilon)
        for step in 1...steps {
            let gradient = randomValues(5, seed: seed + UInt64(step)).map { $0 * gradientScale }
            try learner(&mine, gradient, &m, &v, step, 0.01, 0.9, 0.999, epsilon)
            parameter.grad = Tensor(shape: [5], data: gradient)
            library.step()
            try expectClose(mine, parameter.data, shape: [5], what: "the parameter after step \(step)", tolerance: 1e-5)
        }
    }

    public static func adamStep(_ learner: AdamStep, grader: Grader) throws {
        try grader.check(
            "the first step moves each weight by about the learning rate (bias correction)",
            hint: "without the corrections m / (1 - β1^t) and v / (1 - β2^t), the first steps are far too small: "
                + "m starts at zero, so m = 0.1 g after one step"
        ) { try compareAdam(learner, steps: 1, gradientScale: 1, epsilon: 1e-8, seed: 10) }
        try grader.check(
            "five steps match the library's Adam (torch.optim.Adam's formulas)",
            hint: "m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²; p -= lr m̂ / (sqrt(v̂) + ε), t counting from 1"
        ) { try compareAdam(learner, steps: 5, gradientScale: 1, epsilon: 1e-8, seed: 20) }
        try grader.check(
            "gradients of 1e-7 with ε = 1e-6: ε is added after the square root",
            hint:
                "the denominator is sqrt(v̂) + ε, not sqrt(v̂ + ε): with tiny gradients the difference is a factor of 1000"
        ) { try compareAdam(learner, steps: 3, gradientScale: 1e-7, epsilon: 1e-6, seed: 30) }
    }
}
