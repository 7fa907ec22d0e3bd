import Autograd
import NeuralNetwork
import Optimizers
import Testing

/// Each optimiser runs three steps on p = [1, -2, 3] with gradient g_t = [0.5, -1, 2] * t + 0.1 p,
/// and must land where PyTorch 2.13's optimiser of the same settings lands (values recorded from
/// `torch.optim`, printed to 9 significant digits).
@Suite("Optimisers follow PyTorch's update formulas step for step")
struct OptimizerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let make: @Sendable ([Parameter]) -> Optimizer
        let expected: [[Float]]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "SGD lr 0.1", make: { SGD(parameters: $0, learningRate: 0.1) },
            expected: [
                [0.939999998, -1.88, 2.76999998], [0.830600023, -1.66120005, 2.34229994],
                [0.672294021, -1.34458804, 1.71887696],
            ]),
        Case(
            name: "SGD momentum 0.9", make: { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9) },
            expected: [
                [0.939999998, -1.88, 2.76999998], [0.776600003, -1.55320001, 2.13529992],
                [0.471774012, -0.943548024, 0.942716897],
            ]),
        Case(
            name: "SGD momentum 0.9, dampening 0.5, weight decay 0.01",
            make: { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01) },
            expected: [
                [0.93900001, -1.87800002, 2.76699996], [0.828935504, -1.65787101, 2.34208155],
                [0.650318325, -1.30063665, 1.64677358],
            ]),
        Case(
            name: "SGD Nesterov momentum 0.9",
            make: { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) },
            expected: [
                [0.885999978, -1.77199996, 2.56299996], [0.630565941, -1.26113188, 1.56800306],
                [0.201668605, -0.40333721, -0.114219144],
            ]),
        Case(
            name: "Adam defaults", make: { Adam(parameters: $0) },
            expected: [
                [0.999000013, -1.99899995, 2.99900007], [0.998025894, -1.99802589, 2.9980278],
                [0.997058749, -1.99705875, 2.99706268],
            ]),
        Case(
            name: "Adam lr 0.01, betas (0.8, 0.99), weight decay 0.1",
            make: { Adam(parameters: $0, learningRate: 0.01, betas: (0.8, 0.99), weightDecay: 0.1) },
            expected: [
                [0.99000001, -1.99000001, 2.99000001], [0.980057657, -1.98005819, 2.98007989],
                [0.970032454, -1.97003353, 2.97007704],
            ]),
        Case(
            name: "Adadelta defaults", make: { Adadelta(parameters: $0) },
            expected: [
                [0.996837795, -1.99683774, 2.99683762], [0.992866218, -1.99286604, 2.99284959],
                [0.988113642, -1.98811316, 2.98806906],
            ]),
        Case(
            name: "Adadelta lr 0.5, rho 0.95, eps 1e-5, weight decay 0.1",
            make: { Adadelta(parameters: $0, learningRate: 0.5, rho: 0.95, epsilon: 1e-5, weightDecay: 0.1) },
            expected: [
                [0.992930353, -1.99292934, 2.99292898], [0.984241068, -1.98423779, 2.98417091],
                [0.973931909, -1.97392499, 2.97374249],
            ]),
    ]

    @Test("Three steps land on PyTorch's values", arguments: cases)
    func matchesPyTorch(_ testCase: Case) {
        let p = Parameter(shape: [3], data: [1, -2, 3])
        let optimizer = testCase.make([p])
        for (step, expected) in testCase.expected.enumerated() {
            let t = Float(step + 1)
            p.grad = Tensor(zip([0.5, -1, 2], p.data).map { $0 * t + 0.1 * $1 })
            optimizer.step()
            for (actual, wanted) in zip(p.data, expected) {
                #expect(
                    abs(actual - wanted) <= 2e-6 * max(1, abs(wanted)), "step \(step + 1): \(p.data) vs \(expected)")
            }
        }
    }

    @Test("StepLR multiplies the rate by gamma every stepSize epochs: 1, 1, 0.7, 0.7, 0.49, 0.49")
    func stepLR() {
        let p = Parameter(shape: [1], data: [0])
        let optimizer = SGD(parameters: [p], learningRate: 1)
        let scheduler = StepLR(optimizer: optimizer, stepSize: 2, gamma: 0.7)
        var rates: [Float] = []
        for _ in 0..<6 {
            rates.append(optimizer.learningRate)
            scheduler.step()
        }
        #expect(zip(rates, [1, 1, 0.7, 0.7, 0.49, 0.49]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test("Parameters without a gradient are left alone; zeroGrad clears every gradient")
    func skipsMissingGradients() {
        let a = Parameter(shape: [1], data: [1]), b = Parameter(shape: [1], data: [1])
        let optimizer = SGD(parameters: [a, b], learningRate: 0.5)
        a.grad = Tensor([2] as [Float])
        optimizer.step()
        #expect(a.data == [0] && b.data == [1])
        optimizer.zeroGrad()
        #expect(a.grad == nil)
    }

    @Test("Saving and restoring Adam's moments continues the run exactly")
    func stateRoundTrip() throws {
        func run(interruptAfter: Int?) throws -> [Float] {
            var p = Parameter(shape: [2], data: [1, 2])
            var optimizer = Adam(parameters: [p], learningRate: 0.1)
            for step in 1...4 {
                p.grad = Tensor([Float(step), -1])
                optimizer.step()
                if step == interruptAfter {
                    let saved = optimizer.stateTensors(), values = p.data
                    p = Parameter(shape: [2], data: values)
                    optimizer = Adam(parameters: [p], learningRate: 0.1)
                    try optimizer.loadStateTensors(saved)
                }
            }
            return p.data
        }
        #expect(try run(interruptAfter: 2) == run(interruptAfter: nil))
    }
}

@Suite("Optimiser state from a damaged checkpoint is refused, and nothing changes")
struct OptimizerStateSafetyTests {
    @Test("Adam refuses step counts of NaN, 1e30, -1 and 2.5 without trapping")
    func adamSteps() throws {
        let parameter = Parameter(Tensor([1, 2]))
        let adam = Adam(parameters: [parameter])
        let good = adam.stateTensors()
        for bad: Float in [.nan, 1e30, -1, 2.5] {
            #expect {
                try adam.loadStateTensors([("step", [bad])])
            } throws: { error in
                "\(error)".contains("is not a whole number from 0 to 2^24")
            }
        }
        #expect(adam.stateTensors().map(\.values) == good.map(\.values))
    }

    @Test("Moments holding NaN, or a negative mean square, are refused")
    func nonFiniteMoments() {
        let parameter = Parameter(Tensor([1, 2]))
        let adam = Adam(parameters: [parameter])
        #expect {
            try adam.loadStateTensors([("exp_avg.0", [.nan, 0])])
        } throws: { error in
            "\(error)".contains("holds NaN or infinite values")
        }
        #expect {
            try adam.loadStateTensors([("exp_avg_sq.0", [-1, 0])])
        } throws: { error in
            "\(error)".contains("holds a negative mean square")
        }
        let sgd = SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.9)
        #expect {
            try sgd.loadStateTensors([("momentum.0", [.infinity, 0])])
        } throws: { error in
            "\(error)".contains("holds NaN or infinite values")
        }
    }
}
