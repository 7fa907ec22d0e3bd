import Autograd
import Models
import NeuralNetwork
import Optimizers
import TestSupport
import Testing

/// Every model against PyTorch: the same initial weights and batch give PyTorch's logits, loss and
/// gradients, and three steps of the model's own recipe give PyTorch's weights.
///
/// Tolerances, relative to the largest magnitude in each tensor (float32 rounding in two different
/// summation orders): logits and loss 1e-5, gradients 1e-4, weights after three steps 1e-5, except
/// for the two Adam-trained networks with multi-channel 3x3 convolutions (1e-3). Their convolutions
/// take Winograd's transform (see WinogradConvolution), whose rounding differs from PyTorch's direct
/// sums in the last bits, and Adam's first steps move each weight by lr * g / (|g| + 1e-8): for an
/// entry whose exact gradient is about 0, the computed g is rounding noise of ~1e-7 in both
/// frameworks, and the step it takes is a different fraction of lr in each (measured: up to 8e-4 of
/// the largest weight after three steps; the gradients themselves agree within 1e-4). A wrong
/// update rule is still caught: it moves every weight by a sizeable fraction of lr = 1e-3, which is
/// 1.4-1.6% of the largest of these weights.
@Suite("Every model computes PyTorch's numbers (fixtures recorded from PyTorch 2.15)", .isolatedRandomness)
struct ModelFidelityTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let make: @Sendable () -> Module
        let optimizer: @Sendable ([Parameter]) -> Optimizer
        /// StepLR's gamma, stepped after every step (the fixture exercises the schedule).
        let gamma: Float?
        /// How close the weights after three steps must be (see the suite's note).
        var stepTolerance: Float = 1e-5
        var testDescription: String { name }
    }

    static let cases = [
        Case(
            name: "linear", make: { SoftmaxClassifier() }, optimizer: { Adam(parameters: $0, learningRate: 1e-3) },
            gamma: nil),
        Case(name: "mlp", make: { MLP() }, optimizer: { SGD(parameters: $0, learningRate: 1e-3) }, gamma: nil),
        Case(
            name: "convnet", make: { MNISTConvNet() }, optimizer: { Adam(parameters: $0, learningRate: 1e-3) },
            gamma: nil, stepTolerance: 1e-3),
        Case(
            name: "cnn", make: { CNN() }, optimizer: { Adam(parameters: $0, learningRate: 1e-3) }, gamma: nil,
            stepTolerance: 1e-3),
        Case(
            name: "pytorch-example", make: { PyTorchExampleNet() },
            optimizer: { Adadelta(parameters: $0, learningRate: 1.0) }, gamma: 0.7),
        Case(
            name: "lenet", make: { LeNet() }, optimizer: { SGD(parameters: $0, learningRate: 1e-3, momentum: 0.9) },
            gamma: nil),
    ]

    @Test("Logits, loss, every gradient and the weights after three recipe steps match PyTorch's", arguments: cases)
    func model(_ testCase: Case) throws {
        let file = try PyTorchFixtures.load("model-\(testCase.name).safetensors")
        let model = testCase.make()
        PyTorchFixtures.initialise(model)
        model.eval()  // dropout off: its masks are the one thing two frameworks cannot share
        let input = try #require(file.tensors["input"])
        let labels = try #require(file.tensors["labels"]).data.map { Int($0) }
        let usesNLL = file.metadata["loss"] == "nll"
        func loss(_ output: Tensor) -> Tensor {
            usesNLL ? nllLoss(output, labels: labels) : crossEntropy(output, labels: labels)
        }
        let logits = model(input)
        let value = loss(logits)
        value.backward()
        PyTorchFixtures.expectMatches(logits, "logits", in: file, tolerance: 1e-5)
        PyTorchFixtures.expectMatches(value, "loss", in: file, tolerance: 1e-5)
        for (name, parameter) in model.namedParameters() {
            PyTorchFixtures.expectMatches(
                try #require(parameter.grad, "\(name) has no gradient"), "grad.\(name)", in: file, tolerance: 1e-4)
        }
        let optimizer = testCase.optimizer(model.parameters())
        let scheduler = testCase.gamma.map { StepLR(optimizer: optimizer, stepSize: 1, gamma: $0) }
        for _ in 0..<3 {
            optimizer.zeroGrad()
            loss(model(input)).backward()
            optimizer.step()
            scheduler?.step()
        }
        for (name, parameter) in model.namedParameters() {
            PyTorchFixtures.expectMatches(parameter, "after3.\(name)", in: file, tolerance: testCase.stepTolerance)
        }
    }
}
