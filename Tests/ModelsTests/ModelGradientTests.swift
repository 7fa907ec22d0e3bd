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

@Suite("The model zoo has the source material's layers, names and shapes", .isolatedRandomness)
struct ModelLayoutTests {
    @Test("MLP is 784-128-256-10 with PyTorch's state-dict names hidden1, hidden2, out")
    func mlp() {
        let model = MLP()
        #expect(
            model.namedParameters().map(\.name)
                == ["hidden1.weight", "hidden1.bias", "hidden2.weight", "hidden2.bias", "out.weight", "out.bias"])
        #expect(
            model.namedParameters().map(\.parameter.shape) == [
                [128, 784], [128], [256, 128], [256], [10, 256], [10],
            ])
        #expect(model(Tensor.randn([3, 1, 28, 28])).shape == [3, 10])
    }

    @Test("MNISTConvNet has conv1 [24, 1, 3, 3], conv2 [48, 24, 3, 3], fc1 [200, 1200], fc2 [10, 200]")
    func convnet() {
        let shapes = Dictionary(
            uniqueKeysWithValues: MNISTConvNet().namedParameters().map { ($0.name, $0.parameter.shape) })
        #expect(shapes["conv1.weight"] == [24, 1, 3, 3] && shapes["conv2.weight"] == [48, 24, 3, 3])
        #expect(shapes["fc1.weight"] == [200, 1200] && shapes["fc2.weight"] == [10, 200])
    }
}
