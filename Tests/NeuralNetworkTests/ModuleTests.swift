import Autograd
import MatrixMath
import NeuralNetwork
import Random
import TestSupport
import Testing

/// The MLP of tutorial 04, with the source material's layer names.
final class MLP: Module {
    let hidden1 = Linear(inputFeatures: 784, outputFeatures: 128)
    let hidden2 = Linear(inputFeatures: 128, outputFeatures: 256)
    let out = Linear(inputFeatures: 256, outputFeatures: 10)
    let dropout = Dropout(p: 0.5)

    override func forward(_ x: Tensor) -> Tensor {
        out(dropout(hidden2(hidden1(x).relu()).relu()))
    }
}

@Suite("Module: parameters by reflection, modes, printing", .isolatedRandomness)
struct ModuleTests {
    @Test("namedParameters follows declaration order with PyTorch's dotted names and shapes")
    func namedParameters() {
        let model = MLP()
        #expect(
            model.namedParameters().map(\.name)
                == ["hidden1.weight", "hidden1.bias", "hidden2.weight", "hidden2.bias", "out.weight", "out.bias"])
        #expect(
            model.namedParameters().map(\.parameter.shape) == [
                [128, 784], [128], [256, 128], [256], [10, 256], [10],
            ])
        #expect(model.parameterCount == 784 * 128 + 128 + 128 * 256 + 256 + 256 * 10 + 10)
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
        let model = MLP()
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
            MLP().description == """
                MLP(
                  (hidden1): Linear(inputFeatures: 784, outputFeatures: 128, bias: true)
                  (hidden2): Linear(inputFeatures: 128, outputFeatures: 256, bias: true)
                  (out): Linear(inputFeatures: 256, outputFeatures: 10, bias: true)
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
