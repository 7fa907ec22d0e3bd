import Autograd
import Models
import NeuralNetwork
import Random
import TestSupport
import Testing

/// The models are compositions of layers that have their own full gradient checks; here each
/// whole model is checked end to end on sampled entries of every parameter (checking all of
/// PyTorchExampleNet's 1.2 million weights one by one would take hours in a debug build).
@Suite("Every model's gradient matches central differences (gradcheck, sampled entries)", .isolatedRandomness)
struct ModelGradientTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let make: @Sendable () -> Module
        let input: [Int]
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "SoftmaxClassifier", make: { SoftmaxClassifier() }, input: [2, 1, 28, 28]),
        Case(name: "MLP", make: { MLP() }, input: [2, 1, 28, 28]),
        Case(name: "MNISTConvNet", make: { MNISTConvNet() }, input: [2, 1, 28, 28]),
        Case(name: "CNN", make: { CNN() }, input: [2, 1, 28, 28]),
        Case(name: "PyTorchExampleNet", make: { PyTorchExampleNet() }, input: [2, 1, 28, 28]),
        Case(name: "LeNet", make: { LeNet() }, input: [2, 3, 32, 32]),
    ]

    @Test("The loss gradient of every parameter matches central differences", arguments: cases)
    func model(_ testCase: Case) {
        manualSeed(11)
        let model = testCase.make()
        model.eval()  // dropout off: the same function at every evaluation
        let x = Tensor.randn(testCase.input)
        // ReLU and max pooling have kinks; a small step keeps the differences from crossing them.
        let result = gradcheck(model.parameters(), step: 1e-3, absoluteTolerance: 2e-3, samplesPerArgument: 6) { _ in
            crossEntropy(model(x), labels: [3, 7])
        }
        expectGradientsMatch(result)
    }
}
