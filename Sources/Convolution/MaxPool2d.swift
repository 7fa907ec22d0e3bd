import Autograd
import NeuralNetwork

/// Max pooling as a layer (PyTorch's `nn.MaxPool2d`): keeps the strongest response in each
/// window, halving the height and width with the usual 2x2 window. It makes the features a little
/// insensitive to small shifts and cuts the work of the layers after it by four.
///
/// ## Shape
/// - [N, C, H, W] -> [N, C, (H - kernel) / stride + 1, (W - kernel) / stride + 1]
///
/// - Parameters:
///   - kernelSize: the window's size.
///   - stride: how far the window moves; defaults to the window's size (non-overlapping windows).
///
/// ```swift
/// let pool = MaxPool2d(kernelSize: 2)
/// pool(features)        // [64, 32, 26, 26] -> [64, 32, 13, 13]
/// ```
public final class MaxPool2d: Pool2d {
    public override func forward(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, layerName: description)
    }
}
