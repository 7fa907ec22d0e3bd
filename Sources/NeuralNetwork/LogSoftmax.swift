import Autograd

/// Log-softmax as a layer (PyTorch's `nn.LogSoftmax`), the usual last layer before `nllLoss`.
///
/// ## Shape
/// - any -> the same shape, normalised along `dim`
public final class LogSoftmax: Module {
    public let dim: Int

    public init(dim: Int = 1) {
        self.dim = dim
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { input.logSoftmax(dim: dim) }

    public override var extraDescription: String { "dim: \(dim)" }
}

/// Log-probabilities along `dim` (PyTorch's `F.log_softmax`).
public func logSoftmax(_ input: Tensor, dim: Int) -> Tensor { input.logSoftmax(dim: dim) }

/// Probabilities along `dim` (PyTorch's `F.softmax`).
public func softmax(_ input: Tensor, dim: Int) -> Tensor { input.softmax(dim: dim) }

/// max(0, x) (PyTorch's `F.relu`).
public func relu(_ input: Tensor) -> Tensor { input.relu() }
