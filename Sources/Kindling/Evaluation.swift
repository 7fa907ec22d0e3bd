import Foundation

extension Batch {
    /// The images as a tensor of shape [n, channels, height, width], for convolutional models.
    public var images: Tensor { Tensor(shape: shape, data: inputs.storage) }

    /// The images as a tensor of shape [n, channels * height * width], one row per image, for
    /// models that start with a Linear layer.
    public var flattenedImages: Tensor { Tensor(inputs) }
}

/// Runs `model` over every batch of `loader` without recording gradients, in evaluation mode,
/// and tallies the cross-entropy loss (summed, then averaged once) and the accuracy.
///
/// The model may return raw scores or log-probabilities: cross-entropy takes a log-softmax first,
/// which leaves log-probabilities unchanged.
///
/// ```swift
/// let score = evaluate(model, on: DataLoader(test, batchSize: 1000))
/// print("Test set: \(score)")     // Average loss: 0.2690, Accuracy: 9255/10000 (92.55%)
/// ```
public func evaluate<Dataset>(_ model: Module, on loader: DataLoader<Dataset>, flatten: Bool = false) -> ClassificationScore {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    var score = ClassificationScore()
    withNoGrad {
        for batch in loader {
            let output = model(flatten ? batch.flattenedImages : batch.images)
            let loss = crossEntropy(output, labels: batch.labels, reduction: .sum)
            score.add(lossSum: Double(loss.item), predictions: output.argmax(dim: 1), labels: batch.labels)
        }
    }
    return score
}

/// The predicted class of every image `loader` serves, with the true labels and the dataset
/// indices, in evaluation mode and without gradients.
public func predictions<Dataset>(_ model: Module, on loader: DataLoader<Dataset>)
    -> (predicted: [Int], labels: [Int], indices: [Int]) {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    var result: (predicted: [Int], labels: [Int], indices: [Int]) = ([], [], [])
    withNoGrad {
        for batch in loader {
            result.predicted += model(batch.images).argmax(dim: 1)
            result.labels += batch.labels
            result.indices += batch.indices
        }
    }
    return result
}
