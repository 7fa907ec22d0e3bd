import Autograd

/// A tensor that is part of a model's state and is learned: a `Module` finds it by looking at its
/// stored properties (PyTorch's `nn.Parameter`). It requires a gradient unless it is created (or
/// later set) with `requiresGrad: false`, which freezes it: no gradient reaches it, and the
/// optimisers leave it alone, as in PyTorch.
///
/// ```swift
/// class Scale: Module {
///     let factor = Parameter(Tensor.ones([1]))
///     override func forward(_ input: Tensor) -> Tensor { input * factor }
/// }
/// model.fc.weight.requiresGrad = false      // fine-tune everything but this
/// ```
public final class Parameter: Tensor {
    /// A parameter holding a copy of `tensor`'s shape and values.
    public init(_ tensor: Tensor, requiresGrad: Bool = true) {
        super.init(shape: tensor.shape, data: tensor.data, requiresGrad: requiresGrad)
    }

    public override init(shape: [Int], data: [Float], requiresGrad: Bool = true) {
        super.init(shape: shape, data: data, requiresGrad: requiresGrad)
    }
}
