import Autograd
import NeuralNetwork
import Random
import TestSupport
import Testing

/// Behaviours a PyTorch learner relies on, each one that Kindling once did differently.
@Suite("PyTorch's semantics: frozen and shared parameters, graphs used once, [*, in] inputs", .isolatedRandomness)
struct PyTorchSemanticsTests {
    @Test("A parameter made with requiresGrad: false gets no gradient and an optimiser-free model keeps it")
    func frozenParameter() {
        manualSeed(1)
        let layer = Linear(inputFeatures: 3, outputFeatures: 2)
        layer.weight.requiresGrad = false
        let frozen = Parameter(Tensor([1, 2]), requiresGrad: false)
        #expect(!frozen.requiresGrad)
        layer(Tensor([[1, 2, 3]])).sum().backward()
        #expect(layer.weight.grad == nil)
        #expect(layer.bias?.grad?.data == [1, 1])
    }

    @Test("A parameter shared by two layers appears once in parameters(), under its first name")
    func sharedParameter() {
        final class Tied: Module {
            let encoder = Linear(inputFeatures: 4, outputFeatures: 4)
            let decoder: Linear
            override init() {
                decoder = Linear(inputFeatures: 4, outputFeatures: 4)
                super.init()
            }
        }
        final class Shared: Module {
            let first: Linear
            let second: Linear
            init(_ layer: Linear) {
                (first, second) = (layer, layer)
                super.init()
            }
        }
        let model = Shared(Linear(inputFeatures: 2, outputFeatures: 2))
        #expect(model.namedParameters().map(\.name) == ["first.weight", "first.bias"])
        #expect(model.parameters().count == 2)
        #expect(Tied().parameters().count == 4)
    }

    @Test("backward() frees the graph's saved values; with retainGraph: true it can run twice and gradients add up")
    func retainGraph() {
        let x = Tensor([1, 2, 3] as [Float], requiresGrad: true)
        let y = (x * x).sum()
        y.backward(retainGraph: true)
        #expect(y.gradFn?.isReleased == false)
        y.backward()
        #expect(x.grad?.data == [4, 8, 12])
        #expect(y.gradFn?.isReleased == true)
    }

    @Test("A second backward() through a freed graph stops with PyTorch's explanation")
    func secondBackwardFails() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor([1, 2] as [Float], requiresGrad: true)
            let y = (x * x).sum()
            y.backward()
            y.backward()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("trying to backward through the graph a second time"))
        #expect(message.contains("retainGraph: true"))
    }

    @Test("Linear takes [*, in] inputs: a [2, 3, 4] batch equals its rows, and records PyTorch's view nodes")
    func linearOnAnyLeadingShape() {
        manualSeed(2)
        let layer = Linear(inputFeatures: 4, outputFeatures: 5)
        let x = randomTensor([2, 3, 4], seed: 3, requiresGrad: false)
        let y = layer(x)
        #expect(y.shape == [2, 3, 5])
        expectClose(y.data, layer(x.reshaped(to: [6, 4])).data, tolerance: 1e-6)
        #expect(y.gradFn?.name == "UnsafeViewBackward0")
        #expect(y.gradFn?.nextFunctions.first?.function?.name == "AddmmBackward0")
        #expect(layer(Tensor([1, 2, 3, 4] as [Float])).shape == [5])
    }

    @Test("Linear's graph is PyTorch's: AddmmBackward0 over (bias, input, TBackward0 over the weight)")
    func linearGraph() {
        let layer = Linear(inputFeatures: 3, outputFeatures: 2)
        let node = layer(Tensor([[1, 2, 3]])).gradFn
        #expect(node?.name == "AddmmBackward0")
        #expect(node?.nextFunctions.map { $0.function?.name } == ["AccumulateGrad", nil, "TBackward0"])
        #expect(node?.nextFunctions[0].function?.variable === layer.bias)
        #expect(node?.nextFunctions[2].function?.nextFunctions.first?.function?.variable === layer.weight)
        let noBias = Linear(inputFeatures: 3, outputFeatures: 2, bias: false)
        #expect(noBias(Tensor([[1, 2, 3]])).gradFn?.name == "MmBackward0")
    }

    @Test("flattened() flattens everything, as torch.flatten; flattening one dimension returns the tensor itself")
    func flattenDefaults() {
        let x = Tensor(shape: [2, 3, 4], data: (0..<24).map(Float.init), requiresGrad: true)
        #expect(x.flattened().shape == [24])
        #expect(x.flattened(startDim: 1).shape == [2, 12])
        #expect(x.flattened(startDim: 0, endDim: 1).shape == [6, 4])
        #expect(x.flattened(startDim: 2) === x)
    }
}
