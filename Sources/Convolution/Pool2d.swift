import Autograd
import NeuralNetwork

/// What every 2-D pooling layer has: a window size and a stride (the window's size by default,
/// so windows do not overlap). `MaxPool2d` and `AvgPool2d` add what they compute in each window
/// (PyTorch's `_MaxPoolNd` / `_AvgPoolNd` bases).
///
/// ## Shape
/// - [N, C, H, W] -> [N, C, (H - kernel) / stride + 1, (W - kernel) / stride + 1]
public class Pool2d: Module {
    public let kernelSize: (height: Int, width: Int)
    public let stride: (height: Int, width: Int)

    public convenience init(kernelSize: Int, stride: Int? = nil) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) })
    }

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil) {
        precondition(
            kernelSize.0 > 0 && kernelSize.1 > 0 && (stride?.0 ?? 1) > 0 && (stride?.1 ?? 1) > 0,
            "\(Self.self): window \(kernelSize) and stride \(stride.map { "\($0)" } ?? "default") must be positive")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        super.init()
    }

    public override var extraDescription: String {
        "kernelSize: (\(kernelSize.height), \(kernelSize.width)), stride: (\(stride.height), \(stride.width))"
    }
}
