import Foundation

/// A running tally of a classifier's loss and correct answers over a dataset, printed in the form
/// the source material (and PyTorch's MNIST example) uses:
///
///     Test set: Average loss: 0.2654, Accuracy: 9277/10000 (92.77%)
///
/// The loss is summed in `Double` over every sample, then divided once, so the average does not
/// depend on the batch size.
///
/// ```swift
/// var score = ClassificationScore()
/// score.add(lossSum: 1.3, predictions: [3, 1], labels: [3, 7])
/// score.accuracy      // 0.5
/// ```
public struct ClassificationScore: Sendable, Equatable, CustomStringConvertible {
    public private(set) var lossSum: Double = 0
    public private(set) var correct = 0
    public private(set) var count = 0

    public init() {}

    /// Adds one batch: the *sum* of its per-sample losses, and its predicted and true classes.
    public mutating func add(lossSum batchLoss: Double, predictions: [Int], labels: [Int]) {
        precondition(
            predictions.count == labels.count,
            "ClassificationScore.add: \(predictions.count) predictions for \(labels.count) labels")
        lossSum += batchLoss
        count += labels.count
        for (predicted, actual) in zip(predictions, labels) where predicted == actual { correct += 1 }
    }

    /// Mean loss per sample.
    public var averageLoss: Double { count == 0 ? 0 : lossSum / Double(count) }

    /// Fraction of samples classified correctly, in 0...1.
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }

    /// `Average loss: 0.2654, Accuracy: 9277/10000 (92.77%)`.
    public var description: String {
        "Average loss: \(String(format: "%.4f", averageLoss)), Accuracy: \(correct)/\(count) (\(String(format: "%.2f", accuracy * 100))%)"
    }
}
