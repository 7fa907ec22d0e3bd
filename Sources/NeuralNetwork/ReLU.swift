import Autograd

/// The rectified linear unit, max(0, x), as a layer (PyTorch's `nn.ReLU`).
///
/// Without a non-linearity between them, two Linear layers collapse into one (a product of
/// matrices is a matrix); ReLU is the cheapest non-linearity that keeps a useful gradient.
///
/// ## Shape
/// - any -> the same shape
///
/// ```swift
/// let model = Sequential(Linear(inputFeatures: 784, outputFeatures: 128), ReLU(),
///                        Linear(inputFeatures: 128, outputFeatures: 10))
/// ```
public final class ReLU: Module {
    public override init() { super.init() }

    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}
