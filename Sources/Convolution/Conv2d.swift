import Autograd
import NeuralNetwork

/// A 2-D convolution layer (PyTorch's `nn.Conv2d`): `outputChannels` learned filters, each
/// `inputChannels` x kh x kw, slid over the image; each output value is one filter's dot product
/// with one window of the input, plus the filter's bias.
///
/// A filter responds to a pattern (an edge, a stroke end) wherever it appears, with the same few
/// weights everywhere: that sharing is why a convolution needs far fewer parameters than a Linear
/// layer on the same image, and why it keeps working when the digit moves.
///
/// ## Shape
/// - input [N, inputChannels, H, W] -> output [N, outputChannels, oh, ow], with
///   oh = (H + 2 * padding - kernelHeight) / stride + 1, and ow likewise
///
/// - Parameters:
///   - inputChannels, outputChannels: channels in and out (1 in for grey images, 3 for colour).
///   - kernelSize: the filter's height and width.
///   - stride: how far the window moves each step (default 1).
///   - padding: zeros added around the input on every side (default 0).
///   - bias: whether each filter has a learned bias.
///
/// Initialisation, as PyTorch: weight and bias uniform in ±1/sqrt(inputChannels * kh * kw), from
/// the default generator. Weight layout [outputChannels, inputChannels, kh, kw], PyTorch's.
///
/// ```swift
/// let conv1 = Conv2d(inputChannels: 1, outputChannels: 32, kernelSize: 3, padding: 1)
/// let features = conv1(images)        // [64, 1, 28, 28] -> [64, 32, 28, 28]
/// ```
public final class Conv2d: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: (height: Int, width: Int)
    public let stride: (height: Int, width: Int)
    public let padding: (height: Int, width: Int)

    public convenience init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1,
        padding: Int = 0, bias: Bool = true
    ) {
        self.init(
            inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: (kernelSize, kernelSize),
            stride: (stride, stride), padding: (padding, padding), bias: bias)
    }

    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), bias: Bool = true
    ) {
        precondition(
            inputChannels > 0 && outputChannels > 0,
            "Conv2d: channel counts must be positive, got \(inputChannels) -> \(outputChannels)")
        precondition(
            kernelSize.0 > 0 && kernelSize.1 > 0 && stride.0 > 0 && stride.1 > 0 && padding.0 >= 0 && padding.1 >= 0,
            "Conv2d: kernel \(kernelSize) and stride \(stride) must be positive and padding \(padding) not negative")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let fanIn = inputChannels * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(
            Tensor.uniform([outputChannels, inputChannels, kernelSize.0, kernelSize.1], in: -bound..<bound))
        self.bias = bias ? Parameter(Tensor.uniform([outputChannels], in: -bound..<bound)) : nil
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[1] == inputChannels,
            "\(self): expected input [N, \(inputChannels), H, W], got \(input.shapeText)")
        return conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, layerName: description)
    }

    public override var extraDescription: String {
        var text =
            "inputChannels: \(inputChannels), outputChannels: \(outputChannels), kernelSize: (\(kernelSize.height), \(kernelSize.width)), stride: (\(stride.height), \(stride.width))"
        if padding != (0, 0) { text += ", padding: (\(padding.height), \(padding.width))" }
        if bias == nil { text += ", bias: false" }
        return text
    }
}
