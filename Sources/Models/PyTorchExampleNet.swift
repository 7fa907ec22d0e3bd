import Autograd
import Convolution
import NeuralNetwork

/// The `pytorch-example` model, the network of PyTorch's own MNIST example: two unpadded 3x3
/// convolutions (32 and 64 filters) with one 2x2 pooling after both, dropout, and two Linear
/// layers ending in log-probabilities.
///
///     [N, 1, 28, 28] -conv1-> [N, 32, 26, 26] -conv2-> [N, 64, 24, 24] -pool-> [N, 64, 12, 12]
///                    -dropout1 (0.25)-> -flatten-> [N, 9216] -fc1-> [N, 128] -dropout2 (0.5)->
///                    -fc2-> [N, 10] -logSoftmax-> log-probabilities
///
/// Inputs normalised 0.1307 / 0.3081; Adadelta lr 1.0 with StepLR gamma 0.7, batch 64, 14 epochs:
/// about 99.2%.
public final class PyTorchExampleNet: Module {
    public let conv1 = Conv2d(inputChannels: 1, outputChannels: 32, kernelSize: 3)
    public let conv2 = Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 3)
    public let dropout1 = Dropout(p: 0.25)
    public let dropout2 = Dropout(p: 0.5)
    public let fc1 = Linear(inputFeatures: 9216, outputFeatures: 128)
    public let fc2 = Linear(inputFeatures: 128, outputFeatures: 10)
    public let pool = MaxPool2d(kernelSize: 2)

    public override init() { super.init() }

    public override func forward(_ x: Tensor) -> Tensor {
        var h = conv1(x).relu()
        h = pool(conv2(h).relu())
        h = dropout1(h).flattened(startDim: 1)
        h = dropout2(fc1(h).relu())
        return fc2(h).logSoftmax(dim: 1)
    }
}
