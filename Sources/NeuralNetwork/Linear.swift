import Autograd

/// A fully connected layer: y = x W^T + b (PyTorch's `nn.Linear`).
///
/// Every output is a weighted sum of every input plus a bias. The weight is stored
/// [outputFeatures, inputFeatures], as PyTorch stores it, so weights move between the two
/// frameworks unchanged.
///
/// ## Shape
/// - input: [*, inputFeatures] -> output: [*, outputFeatures] (any leading dimensions, as PyTorch)
///
/// - Parameters:
///   - inputFeatures, outputFeatures: sizes of each input and output row.
///   - bias: whether to add a learned bias.
///
/// Initialisation, as PyTorch: weight and bias uniform in ±1/sqrt(inputFeatures), drawn from the
/// default generator (seed it with `manualSeed`).
///
/// ```swift
/// let fc = Linear(inputFeatures: 784, outputFeatures: 10)
/// let scores = fc(images.flattened(startDim: 1))          // [64, 784] -> [64, 10]
/// ```
public final class Linear: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let inputFeatures: Int
    public let outputFeatures: Int

    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true) {
        precondition(
            inputFeatures > 0 && outputFeatures > 0,
            "Linear: sizes must be positive, got \(inputFeatures) -> \(outputFeatures)")
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        let bound = 1 / Float(inputFeatures).squareRoot()
        weight = Parameter(Tensor.uniform([outputFeatures, inputFeatures], in: -bound..<bound))
        self.bias = bias ? Parameter(Tensor.uniform([outputFeatures], in: -bound..<bound)) : nil
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(
            input.rank >= 1 && input.shape.last == inputFeatures,
            "Linear(\(inputFeatures) -> \(outputFeatures)): expected input [*, \(inputFeatures)], got \(input.shapeText)"
        )
        return input.linear(weight: weight, bias: bias)
    }

    public override var extraDescription: String {
        "inputFeatures: \(inputFeatures), outputFeatures: \(outputFeatures), bias: \(bias != nil)"
    }
}
