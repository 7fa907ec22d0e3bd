import Autograd
import Datasets
import Metrics
import NeuralNetwork

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
public func evaluate<Dataset>(_ model: Module, on loader: DataLoader<Dataset>) -> ClassificationScore {
    var score = ClassificationScore()
    inEvaluationMode(model) {
        for batch in loader {
            let output = model(batch.images)
            let loss = crossEntropy(output, labels: batch.labels, reduction: .sum)
            score.add(lossSum: Double(loss.item), predictions: output.argmax(dim: 1), labels: batch.labels)
        }
    }
    return score
}

/// The predicted class of every image `loader` serves, with the true labels and the dataset
/// indices, in evaluation mode and without gradients.
///
/// ```swift
/// let result = predictions(model, on: DataLoader(test, batchSize: 1000))
/// var matrix = ConfusionMatrix(classNames: test.classNames)
/// matrix.add(predictions: result.predicted, labels: result.labels)
/// ```
public func predictions<Dataset>(_ model: Module, on loader: DataLoader<Dataset>)
    -> (predicted: [Int], labels: [Int], indices: [Int])
{
    var result: (predicted: [Int], labels: [Int], indices: [Int]) = ([], [], [])
    inEvaluationMode(model) {
        for batch in loader {
            result.predicted += model(batch.images).argmax(dim: 1)
            result.labels += batch.labels
            result.indices += batch.indices
        }
    }
    return result
}

/// Runs `body` with `model` in evaluation mode (Dropout passes everything through) and no graph
/// recorded, then puts the model back in the mode it was in.
func inEvaluationMode(_ model: Module, _ body: () -> Void) {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    withNoGrad(body)
}
