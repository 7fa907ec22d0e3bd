import Autograd

/// A tensor that is part of a model's state and is learned: it always requires a gradient, and a
/// `Module` finds it by looking at its stored properties (PyTorch's `nn.Parameter`).
///
/// ```swift
/// class Scale: Module {
///     let factor = Parameter(Tensor.ones([1]))
///     override func forward(_ input: Tensor) -> Tensor { input * factor }
/// }
/// ```
public final class Parameter: Tensor {
    /// A parameter holding a copy of `tensor`'s shape and values.
    public init(_ tensor: Tensor) {
        super.init(shape: tensor.shape, data: tensor.data, requiresGrad: true)
    }

    public override init(shape: [Int], data: [Float], requiresGrad: Bool = true) {
        super.init(shape: shape, data: data, requiresGrad: true)
    }
}
