import Autograd
import NeuralNetwork

/// Average pooling as a layer (PyTorch's `nn.AvgPool2d`, without padding): each output is the
/// mean of its window.
///
/// ## Shape
/// - [N, C, H, W] -> [N, C, (H - kernel) / stride + 1, (W - kernel) / stride + 1]
///
/// ```swift
/// let pool = AvgPool2d(kernelSize: 2)
/// ```
public final class AvgPool2d: Pool2d {
    public override func forward(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, layerName: description)
    }
}
