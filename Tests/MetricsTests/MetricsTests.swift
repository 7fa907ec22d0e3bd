import Metrics
import Testing

@Suite("Classification score")
struct ClassificationScoreTests {
    @Test("ClassificationScore prints the source material's 'Average loss, Accuracy' line")
    func scoreLine() {
        var score = ClassificationScore()
        score.add(lossSum: 3, predictions: [1, 2, 3, 4], labels: [1, 2, 3, 0])
        score.add(lossSum: 1, predictions: [5, 5, 5, 5], labels: [5, 5, 5, 5])
        #expect(score.description == "Average loss: 0.5000, Accuracy: 7/8 (87.50%)")
    }
}

@Suite("Confusion matrix")
struct ConfusionMatrixTests {
    @Test("Counts (true, predicted) pairs, gives each class's accuracy, and prints one row per class")
    func counts() {
        var matrix = ConfusionMatrix(classNames: ["cat", "dog"])
        matrix.add(predictions: [0, 1, 1, 1], labels: [0, 0, 1, 1])
        #expect(matrix.counts == [[1, 1], [0, 2]])
        #expect(matrix.accuracy(ofClass: 0) == 0.5 && matrix.accuracy(ofClass: 1) == 1)
        let lines = matrix.description.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasSuffix("50.0%") && lines[2].hasSuffix("100.0%"))
        #expect(lines[1].contains("0 cat"))
    }
}
