/// Counts of (true class, predicted class) pairs: where a classifier goes wrong, not just how
/// often. Row t, column p holds how many images of class t were predicted as p; the diagonal is
/// the correct ones.
///
/// ```swift
/// var matrix = ConfusionMatrix(classNames: (0...9).map(String.init))
/// matrix.add(predictions: [3, 5], labels: [3, 3])
/// print(matrix)                      // a table with row and column totals
/// matrix.accuracy(ofClass: 3)        // 0.5
/// ```
public struct ConfusionMatrix: CustomStringConvertible, Sendable {
    public let classNames: [String]
    /// counts[truth][prediction]
    public private(set) var counts: [[Int]]

    public init(classNames: [String]) {
        self.classNames = classNames
        counts = [[Int]](repeating: [Int](repeating: 0, count: classNames.count), count: classNames.count)
    }

    public mutating func add(predictions: [Int], labels: [Int]) {
        precondition(
            predictions.count == labels.count,
            "ConfusionMatrix.add: \(predictions.count) predictions for \(labels.count) labels")
        for (predicted, truth) in zip(predictions, labels) { counts[truth][predicted] += 1 }
    }

    /// Fraction of the images of class `index` predicted correctly (0 when there are none).
    public func accuracy(ofClass index: Int) -> Double {
        let total = counts[index].reduce(0, +)
        return total == 0 ? 0 : Double(counts[index][index]) / Double(total)
    }

    /// The table: one row per true class, one column per predicted class, then the class's accuracy.
    public var description: String {
        let nameWidth = Swift.max(5, classNames.map(\.count).max() ?? 0)
        let cellWidth = Swift.max(5, String(counts.joined().max() ?? 0).count + 1)
        func pad(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: Swift.max(0, width - text.count)) + text
        }
        var lines = [
            pad("true\\pred", nameWidth + 4) + classNames.indices.map { pad(String($0), cellWidth) }.joined()
                + pad("accuracy", 10)
        ]
        for (index, row) in counts.enumerated() {
            let percent = String(Int((accuracy(ofClass: index) * 1000).rounded()))
            let accuracyText =
                percent.count > 1
                ? String(percent.dropLast()) + "." + String(percent.suffix(1)) + "%" : "0." + percent + "%"
            let rowName = classNames[index] == String(index) ? classNames[index] : "\(index) " + classNames[index]
            lines.append(
                pad(rowName, nameWidth + 4) + row.map { pad(String($0), cellWidth) }.joined()
                    + pad(accuracyText, 10))
        }
        return lines.joined(separator: "\n")
    }
}
