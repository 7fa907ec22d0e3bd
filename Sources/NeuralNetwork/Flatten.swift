import Autograd

/// Flattens every dimension from `startDim` on into one (PyTorch's `nn.Flatten`): the step from a
/// convolution's feature maps to a Linear layer's rows.
///
/// ## Shape
/// - [n, c, h, w] -> [n, c * h * w] (with the default startDim 1)
///
/// ```swift
/// Flatten()(features)     // [64, 48, 5, 5] -> [64, 1200]
/// ```
public final class Flatten: Module {
    public let startDim: Int

    public init(startDim: Int = 1) {
        self.startDim = startDim
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { input.flattened(startDim: startDim) }

    public override var extraDescription: String { "startDim: \(startDim)" }
}
