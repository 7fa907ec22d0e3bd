/// Picks one element per row: `x[i, labels[i]]` for every row i (PyTorch's
/// `x[torch.arange(n), labels]`, or `x.gather(1, labels.unsqueeze(1)).squeeze(1)`).
///
/// It is how a loss reads "the score of the right class" out of a row of scores. The backward
/// sends each output's gradient to the element it was picked from; every other element of x gets 0.
///
/// ## Shape
/// - self [n, c], labels [n] -> [n]
///
/// ```swift
/// let logP = logits.logSoftmax(dim: 1)
/// let picked = logP.gather(labels: [3, 1, 4])     // log-probability of each true class
/// ```
extension Tensor {
    public func gather(labels: [Int]) -> Tensor {
        precondition(rank == 2, "gather: needs a 2-D tensor [n, classes], got \(shapeText)")
        let (rows, columns) = (shape[0], shape[1])
        precondition(labels.count == rows, "gather: \(labels.count) labels for a tensor of shape \(shapeText)")
        for (row, label) in labels.enumerated() {
            precondition(
                label >= 0 && label < columns,
                "gather: label \(label) at index \(row) is not a column of a tensor of shape \(shapeText)")
        }
        let values = labels.enumerated().map { row, label in data[row * columns + label] }
        return Tensor.result(shape: [rows], data: values, inputs: [self], name: "IndexBackward0") { gradient, _ in
            var dx = [Float](repeating: 0, count: rows * columns)
            for (row, label) in labels.enumerated() { dx[row * columns + label] = gradient[row] }
            return [dx]
        }
    }
}
