/// The sizes of one 2-D convolution or pooling window sliding over an image, and the output size
/// they give:
///
///     outputHeight = (inputHeight + 2 * padding.height - kernel.height) / stride.height + 1
///
/// (and the same for widths), the formula of PyTorch's `Conv2d` and `MaxPool2d` documentation
/// (with dilation 1).
///
/// ```swift
/// let g = ConvolutionGeometry(inputHeight: 28, inputWidth: 28, kernel: (3, 3), stride: (1, 1), padding: (0, 0))
/// g.outputHeight    // 26
/// ```
public struct ConvolutionGeometry: Sendable, Equatable {
    public let inputHeight: Int, inputWidth: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let strideHeight: Int, strideWidth: Int
    public let paddingHeight: Int, paddingWidth: Int
    public let outputHeight: Int, outputWidth: Int

    /// - Returns: nil when the window does not fit the padded input even once.
    public init?(inputHeight: Int, inputWidth: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)) {
        let paddedHeight = inputHeight + 2 * padding.0, paddedWidth = inputWidth + 2 * padding.1
        guard kernel.0 >= 1, kernel.1 >= 1, stride.0 >= 1, stride.1 >= 1, padding.0 >= 0, padding.1 >= 0,
            kernel.0 <= paddedHeight, kernel.1 <= paddedWidth
        else { return nil }
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        outputHeight = (paddedHeight - kernel.0) / stride.0 + 1
        outputWidth = (paddedWidth - kernel.1) / stride.1 + 1
    }

    /// Output positions per plane.
    public var outputPlane: Int { outputHeight * outputWidth }
    /// Input positions per plane.
    public var inputPlane: Int { inputHeight * inputWidth }
    /// Positions inside one window.
    public var kernelArea: Int { kernelHeight * kernelWidth }
}
