import MatrixMath

/// One-hot encoding: row i is all zeros except a 1 in column `labels[i]`.
///
/// ## Shape
/// - labels: [n] -> [n, classes]
///
/// ```swift
/// oneHot([2, 0], classes: 3)   // [[0, 0, 1], [1, 0, 0]]
/// ```
public func oneHot(_ labels: [Int], classes: Int) -> Matrix {
    var result = Matrix.zeros(rows: labels.count, columns: classes)
    for (row, label) in labels.enumerated() {
        precondition(label >= 0 && label < classes, "oneHot: label \(label) at index \(row) is not in 0..<\(classes)")
        result[row, label] = 1
    }
    return result
}

/// The cross-entropy loss of raw scores (logits) against true classes, averaged over the batch:
///
///     L = -(1/n) * sum_i log softmax(z_i)[y_i]
///
/// It is the negative log-probability the model gave the right answer: 0 when it was certain and
/// right, large when it was confident and wrong. Computed through `logSoftmax`, so a very wrong
/// prediction gives a large finite loss rather than log(0) = -infinity.
///
/// ## Shape
/// - logits: [n, classes], labels: [n] -> a scalar
///
/// - Returns: the mean loss, and the sum over the batch (in `Double`) for averaging over a
///   whole dataset.
///
/// ```swift
/// crossEntropy(logits: Matrix([[0, 0]]), labels: [1]).mean   // log 2 = 0.6931
/// ```
public func crossEntropy(logits: Matrix, labels: [Int]) -> (mean: Float, sum: Double) {
    precondition(
        logits.rows == labels.count,
        "crossEntropy: logits \(logits.shapeText) have \(logits.rows) rows but there are \(labels.count) labels")
    let logProbabilities = logits.logSoftmax(dim: 1)
    var sum = 0.0
    for (row, label) in labels.enumerated() {
        precondition(
            label >= 0 && label < logits.columns,
            "crossEntropy: label \(label) at index \(row) is not a class of logits \(logits.shapeText)")
        sum -= Double(logProbabilities[row, label])
    }
    return (Float(sum / Double(Swift.max(1, labels.count))), sum)
}
