import Autograd

/// How a loss combines the per-sample losses of a batch.
public enum Reduction: Sendable {
    /// The average over the batch (PyTorch's default).
    case mean
    /// The sum over the batch.
    case sum
}

/// Negative log-likelihood: the loss for a model whose output is already log-probabilities
/// (PyTorch's `F.nll_loss`).
///
///     L = -(1/n) sum_i logP[i, y_i]        (mean)
///     dL/dlogP[i, j] = -1/n if j == y_i, else 0
///
/// ## Shape
/// - logProbabilities: [n, classes], labels: [n] -> a scalar
///
/// ```swift
/// let loss = nllLoss(model(x).logSoftmax(dim: 1), labels: y)
/// ```
public func nllLoss(_ logProbabilities: Tensor, labels: [Int], reduction: Reduction = .mean) -> Tensor {
    precondition(
        logProbabilities.rank == 2,
        "nllLoss: expected log-probabilities [n, classes], got \(logProbabilities.shapeText)")
    let (rows, columns) = (logProbabilities.shape[0], logProbabilities.shape[1])
    precondition(
        labels.count == rows,
        "nllLoss: \(labels.count) labels for log-probabilities of shape \(logProbabilities.shapeText)")
    for (row, label) in labels.enumerated() {
        precondition(
            label >= 0 && label < columns,
            "nllLoss: label \(label) at index \(row) is not a class of \(logProbabilities.shapeText)")
    }
    let data = logProbabilities.data
    var total = 0.0
    for (row, label) in labels.enumerated() { total -= Double(data[row * columns + label]) }
    let scale: Float = reduction == .mean ? 1 / Float(Swift.max(rows, 1)) : 1
    return Tensor.result(
        shape: [], data: [Float(total) * scale], inputs: [logProbabilities],
        name: "NllLossBackward0"
    ) { gradient, _ in
        var dx = [Float](repeating: 0, count: rows * columns)
        for (row, label) in labels.enumerated() { dx[row * columns + label] = -gradient[0] * scale }
        return [dx]
    }
}

/// Cross-entropy of raw scores (logits) against class labels: `nllLoss(logSoftmax(logits))`
/// (PyTorch's `F.cross_entropy`). Its gradient with respect to the logits is
/// (softmax(logits) - onehot(labels)) / n, the formula tutorial 02 derives by hand.
///
/// ## Shape
/// - logits: [n, classes], labels: [n] -> a scalar
///
/// ```swift
/// let loss = crossEntropy(model(x), labels: y)
/// loss.backward()
/// ```
public func crossEntropy(_ logits: Tensor, labels: [Int], reduction: Reduction = .mean) -> Tensor {
    precondition(logits.rank == 2, "crossEntropy: expected logits [n, classes], got \(logits.shapeText)")
    return nllLoss(logits.logSoftmax(dim: 1), labels: labels, reduction: reduction)
}

/// Mean squared error (PyTorch's `F.mse_loss`).
///
///     L = (1/N) sum_k (x_k - t_k)^2       dL/dx_k = 2 (x_k - t_k) / N,   dL/dt_k = -dL/dx_k
///
/// ## Shape
/// - input and target of the same shape -> a scalar
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(
        input.shape == target.shape,
        "mseLoss: input \(input.shapeText) and target \(target.shapeText) must have the same shape")
    let x = input.data, t = target.data
    var total = 0.0
    for index in x.indices {
        let difference = Double(x[index] - t[index])
        total += difference * difference
    }
    let scale: Float = reduction == .mean ? 1 / Float(Swift.max(x.count, 1)) : 1
    return Tensor.result(
        shape: [], data: [Float(total) * scale], inputs: [input, target],
        name: "MseLossBackward0"
    ) { gradient, needs in
        let dx = x.indices.map { 2 * (x[$0] - t[$0]) * scale * gradient[0] }
        return [needs[0] ? dx : nil, needs[1] ? dx.map { -$0 } : nil]
    }
}
