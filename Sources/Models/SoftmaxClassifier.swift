import Autograd
import NeuralNetwork

/// The `linear` model: one Linear layer from the 784 pixels to 10 scores, softmax regression
/// (tutorials 02 and 03).
///
/// ## Shape
/// - [N, 1, 28, 28] (or [N, 784]) -> [N, 10] scores
public final class SoftmaxClassifier: Module {
    public let fc = Linear(inputFeatures: 784, outputFeatures: 10)

    public override init() { super.init() }

    public override func forward(_ x: Tensor) -> Tensor {
        fc(x.flattened(startDim: 1))
    }
}
