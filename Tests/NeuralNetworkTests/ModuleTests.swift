import Autograd
import MatrixMath
import NeuralNetwork
import Random
import TestSupport
import Testing

/// A small network of nested layers, a dropout among them, for the reflection and mode tests (the
/// real models, such as `MLP`, are tested in ModelsTests).
final class ThreeLayerNet: Module {
    let hidden1 = Linear(inputFeatures: 8, outputFeatures: 6)
    let hidden2 = Linear(inputFeatures: 6, outputFeatures: 4)
    let out = Linear(inputFeatures: 4, outputFeatures: 2)
    let dropout = Dropout(p: 0.5)

    override func forward(_ x: Tensor) -> Tensor {
        out(dropout(hidden2(hidden1(x).relu()).relu()))
    }
}

@Suite("Module: parameters by reflection, modes, printing", .isolatedRandomness)
struct ModuleTests {
    @Test("namedParameters follows declaration order with PyTorch's dotted names and shapes")
    func namedParameters() {
        let model = ThreeLayerNet()
        #expect(
            model.namedParameters().map(\.name)
                == ["hidden1.weight", "hidden1.bias", "hidden2.weight", "hidden2.bias", "out.weight", "out.bias"])
        #expect(model.namedParameters().map(\.parameter.shape) == [[6, 8], [6], [4, 6], [4], [2, 4], [2]])
        #expect(model.parameterCount == 8 * 6 + 6 + 6 * 4 + 4 + 4 * 2 + 2)
    }

    @Test("Sequential names its layers 0, 1, 2 as PyTorch; nested modules get prefixes")
    func sequentialNames() {
        final class Net: Module {
            let features = Sequential(
                Linear(inputFeatures: 2, outputFeatures: 3), ReLU(),
                Linear(inputFeatures: 3, outputFeatures: 1, bias: false))
            let head = Linear(inputFeatures: 1, outputFeatures: 1)
        }
        #expect(
            Net().namedParameters().map(\.name) == [
                "features.0.weight", "features.0.bias", "features.2.weight", "head.weight", "head.bias",
            ])
    }

    @Test("train() and eval() reach every sub-module")
    func modes() {
        let model = ThreeLayerNet()
        #expect(model.dropout.isTraining)
        model.eval()
        #expect(!model.dropout.isTraining && !model.hidden1.isTraining)
        model.train()
        #expect(model.dropout.isTraining)
    }

    @Test("zeroGrad clears every parameter's gradient")
    func zeroGrad() {
        let model = Linear(inputFeatures: 2, outputFeatures: 2)
        model(Tensor([[1, 2]])).sum().backward()
        #expect(model.weight.grad != nil && model.bias?.grad != nil)
        model.zeroGrad()
        #expect(model.parameters().allSatisfy { $0.grad == nil })
    }

    @Test("Printing a model lists its layers like PyTorch's print(model)")
    func printing() {
        #expect(
            ThreeLayerNet().description == """
                ThreeLayerNet(
                  (hidden1): Linear(inputFeatures: 8, outputFeatures: 6, bias: true)
                  (hidden2): Linear(inputFeatures: 6, outputFeatures: 4, bias: true)
                  (out): Linear(inputFeatures: 4, outputFeatures: 2, bias: true)
                  (dropout): Dropout(p: 0.5)
                )
                """)
    }

    @Test("manualSeed makes Linear's initialisation reproducible and within ±1/sqrt(in)")
    func initialisation() {
        manualSeed(42)
        let a = Linear(inputFeatures: 100, outputFeatures: 20)
        manualSeed(42)
        let b = Linear(inputFeatures: 100, outputFeatures: 20)
        #expect(a.weight.data == b.weight.data && a.bias!.data == b.bias!.data)
        #expect(a.weight.data.allSatisfy { abs($0) <= 0.1 })
        #expect(a.weight.data.max()! > 0.09)
    }
}
