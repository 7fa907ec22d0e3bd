import Autograd
import NeuralNetwork

/// The `mlp` model: 784 -> 128 -> 256 -> 10 with ReLU between, the source material's names
/// `hidden1`, `hidden2`, `out` (tutorial 04).
///
/// ## Shape
/// - [N, 1, 28, 28] (or [N, 784]) -> [N, 10] scores
public final class MLP: Module {
    public let hidden1 = Linear(inputFeatures: 784, outputFeatures: 128)
    public let hidden2 = Linear(inputFeatures: 128, outputFeatures: 256)
    public let out = Linear(inputFeatures: 256, outputFeatures: 10)

    public override init() { super.init() }

    public override func forward(_ x: Tensor) -> Tensor {
        let h1 = hidden1(x.flattened(startDim: 1)).relu()
        let h2 = hidden2(h1).relu()
        return out(h2)
    }
}
