import MatrixMath
import Metrics
import Random

/// Multinomial logistic ("softmax") regression: a linear map from pixels to one score per class,
/// trained by gradient descent with a gradient derived by hand.
///
///     z = x W + b                 scores (logits), one per class
///     p = softmax(z)              probabilities
///     L = -log p[y]               cross-entropy with the true class y
///
/// The derivation, for one sample (tutorial 02 walks through it):
///
///     p_j = e^{z_j} / sum_k e^{z_k}
///     dp_j/dz_i = p_j (delta_ij - p_i)
///     dL/dz_i = -(1/p_y) dp_y/dz_i = -(delta_iy - p_i) = p_i - onehot(y)_i
///
/// So the gradient of the loss with respect to the scores is simply *probabilities minus the
/// one-hot truth*. For a batch of n samples the loss is the mean, so dZ = (P - Y) / n, and by the
/// chain rule through z = xW + b:
///
///     dW = X^T dZ     (each weight collects input times error, summed over the batch)
///     db = sum over rows of dZ
///
/// ## Shape
/// - inputs X: [n, features]; weight W: [features, classes]; bias b: [1, classes];
///   scores: [n, classes]
///
/// - Parameters:
///   - features, classes: 784 and 10 for MNIST.
///   - generator: weights start uniform in ±1/sqrt(features), as PyTorch's `nn.Linear`.
///
/// ```swift
/// var model = SoftmaxRegression(features: 784, classes: 10, using: &rng)
/// let loss = model.step(inputs: batch.inputs, labels: batch.labels, learningRate: 0.1)
/// let predictions = model.predict(batch.inputs)
/// ```
public struct SoftmaxRegression: Sendable {
    /// How the gradient of the scores is computed.
    public enum GradientRule: Sendable {
        /// dL/dz = softmax(z) - onehot(y): the true gradient of cross-entropy.
        case softmaxMinusOneHot
        /// dL/dz = z - onehot(y): the tempting mistake of treating the raw scores as
        /// probabilities. It is the gradient of a squared error on the scores, not of the loss
        /// being reported, and it drives the scores toward exactly 0 and 1.
        case logitsMinusOneHot
    }

    public var weight: Matrix
    public var bias: Matrix

    public init(features: Int, classes: Int, using generator: inout SeededGenerator) {
        let bound = 1 / Float(features).squareRoot()
        weight = Matrix.uniform(rows: features, columns: classes, in: -bound..<bound, using: &generator)
        bias = Matrix.uniform(rows: 1, columns: classes, in: -bound..<bound, using: &generator)
    }

    /// The scores z = XW + b.
    public func logits(_ inputs: Matrix) -> Matrix {
        precondition(
            inputs.columns == weight.rows,
            "SoftmaxRegression: inputs \(inputs.shapeText) do not match weight \(weight.shapeText) (expected \(weight.rows) features)"
        )
        return inputs.matmul(weight) + bias
    }

    /// The most probable class of each row of `inputs`.
    public func predict(_ inputs: Matrix) -> [Int] {
        logits(inputs).argmax(dim: 1)
    }

    /// The mean cross-entropy loss on a batch and its gradient with respect to W and b.
    public func gradients(inputs: Matrix, labels: [Int], rule: GradientRule = .softmaxMinusOneHot)
        -> (loss: Float, weight: Matrix, bias: Matrix)
    {
        let scores = logits(inputs)
        let truth = oneHot(labels, classes: weight.columns)
        let n = Float(labels.count)
        let scoreGradient: Matrix
        switch rule {
        case .softmaxMinusOneHot: scoreGradient = (scores.softmax(dim: 1) - truth) / n
        case .logitsMinusOneHot: scoreGradient = (scores - truth) / n
        }
        let weightGradient = inputs.matmul(scoreGradient, transposeSelf: true)  // X^T dZ
        let biasGradient = scoreGradient.sum(dim: 0)
        return (crossEntropy(logits: scores, labels: labels).mean, weightGradient, biasGradient)
    }

    /// One step of plain stochastic gradient descent, W -= lr * dW and b -= lr * db.
    /// - Returns: the batch's loss before the step.
    @discardableResult
    public mutating func step(
        inputs: Matrix, labels: [Int], learningRate: Float,
        rule: GradientRule = .softmaxMinusOneHot
    ) -> Float {
        let (loss, weightGradient, biasGradient) = gradients(inputs: inputs, labels: labels, rule: rule)
        weight -= learningRate * weightGradient
        bias -= learningRate * biasGradient
        return loss
    }

    /// Adds a batch's loss and predictions to a running score.
    public func score(inputs: Matrix, labels: [Int], into score: inout ClassificationScore) {
        let scores = logits(inputs)
        score.add(
            lossSum: crossEntropy(logits: scores, labels: labels).sum,
            predictions: scores.argmax(dim: 1), labels: labels)
    }
}
