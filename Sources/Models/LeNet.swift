import Autograd
import Convolution
import NeuralNetwork

/// `lenet`, LeNet-5 for 32x32 colour images (CIFAR-10), as in the source material: two 5x5
/// convolutions (6 and 16 filters) with ReLU and 2x2 pooling, then three Linear layers.
///
///     [N, 3, 32, 32] -conv1-> [N, 6, 28, 28] -pool-> [N, 6, 14, 14]
///                    -conv2-> [N, 16, 10, 10] -pool-> [N, 16, 5, 5] -flatten-> [N, 400]
///                    -fc1-> [N, 120] -fc2-> [N, 84] -fc3-> [N, 10]
public final class LeNet: Module {
    public let conv1 = Conv2d(inputChannels: 3, outputChannels: 6, kernelSize: 5)
    public let conv2 = Conv2d(inputChannels: 6, outputChannels: 16, kernelSize: 5)
    public let fc1 = Linear(inputFeatures: 16 * 5 * 5, outputFeatures: 120)
    public let fc2 = Linear(inputFeatures: 120, outputFeatures: 84)
    public let fc3 = Linear(inputFeatures: 84, outputFeatures: 10)
    public let pool = MaxPool2d(kernelSize: 2)

    public override init() { super.init() }

    public override func forward(_ x: Tensor) -> Tensor {
        var h = pool(conv1(x).relu())
        h = pool(conv2(h).relu())
        h = fc1(h.flattened(startDim: 1)).relu()
        h = fc2(h).relu()
        return fc3(h)
    }
}
