import Autograd

/// Layers applied one after the other (PyTorch's `nn.Sequential`).
///
/// Its layers are named by position, "0", "1", ..., as in PyTorch, so a `Sequential` stored in
/// property `features` has parameters `features.0.weight` and so on.
///
/// ## Shape
/// - input: whatever the first layer takes -> whatever the last layer returns
///
/// ```swift
/// let model = Sequential(Flatten(), Linear(inputFeatures: 784, outputFeatures: 10))
/// let scores = model(images)
/// ```
public final class Sequential: Module {
    public let layers: [Module]

    public init(_ layers: Module...) {
        self.layers = layers
        super.init()
    }

    public init(layers: [Module]) {
        self.layers = layers
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { value, layer in layer(value) }
    }

    /// Positions as names ("0", "1", ...), not "layers.0": PyTorch's naming for Sequential.
    public override func namedChildren() -> [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }
}
