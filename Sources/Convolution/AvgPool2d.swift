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
public final class AvgPool2d: Module {
    public let kernelSize: (height: Int, width: Int)
    public let stride: (height: Int, width: Int)

    public convenience init(kernelSize: Int, stride: Int? = nil) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) })
    }

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, layerName: description)
    }

    public override var extraDescription: String {
        "kernelSize: (\(kernelSize.height), \(kernelSize.width)), stride: (\(stride.height), \(stride.width))"
    }
}
