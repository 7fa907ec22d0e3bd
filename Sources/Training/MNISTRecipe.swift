import Datasets
import Models
import NeuralNetwork
import Optimizers

/// The models of the MNIST program and their source-material training settings.
///
/// ```swift
/// let recipe = MNISTRecipe.convnet
/// let model = recipe.makeModel()       // MNISTConvNet, weights from the default generator
/// recipe.batchSize                      // 200
/// ```
public enum MNISTRecipe: String, CaseIterable, Sendable {
    case linear, mlp, convnet, cnn
    case pytorchExample = "pytorch-example"

    /// Which optimiser a recipe trains with.
    public enum OptimizerKind: String, CaseIterable, Sendable {
        case sgd, adam, adadelta
    }

    public func makeModel() -> Module {
        switch self {
        case .linear: SoftmaxClassifier()
        case .mlp: MLP()
        case .convnet: MNISTConvNet()
        case .cnn: CNN()
        case .pytorchExample: PyTorchExampleNet()
        }
    }

    public var optimizer: OptimizerKind {
        switch self {
        case .linear, .convnet, .cnn: .adam
        case .mlp: .sgd
        case .pytorchExample: .adadelta
        }
    }

    public var learningRate: Float {
        switch self {
        case .linear, .mlp, .convnet, .cnn: 1e-3
        case .pytorchExample: 1.0
        }
    }

    /// StepLR's gamma, applied after every epoch (1 = constant rate).
    public var gamma: Float { self == .pytorchExample ? 0.7 : 1 }

    public var batchSize: Int {
        switch self {
        case .linear: 600
        case .convnet: 200
        case .mlp, .cnn, .pytorchExample: 64
        }
    }

    public var epochs: Int {
        switch self {
        case .linear: 100
        case .mlp: 25
        case .convnet: 5
        case .cnn: 10
        case .pytorchExample: 14
        }
    }

    /// Input normalisation: none for the linear models (pixels in 0...1), mean 0.5 / std 0.5 for
    /// `convnet`, MNIST's own statistics for the others.
    public var normalization: Normalize? {
        switch self {
        case .linear, .mlp: nil
        case .convnet: Normalize(mean: [0.5], std: [0.5])
        case .cnn, .pytorchExample: MNIST.normalization
        }
    }

    /// Makes the recipe's optimiser (or another kind) for `parameters`.
    public static func makeOptimizer(
        _ kind: OptimizerKind, parameters: [Parameter], learningRate: Float,
        momentum: Float
    ) -> Optimizer {
        switch kind {
        case .sgd: SGD(parameters: parameters, learningRate: learningRate, momentum: momentum)
        case .adam: Adam(parameters: parameters, learningRate: learningRate)
        case .adadelta: Adadelta(parameters: parameters, learningRate: learningRate)
        }
    }
}
