import Foundation
import MatrixMath
import Metrics
import Random
import SoftmaxRegression
import Testing

@Suite("Softmax regression with the hand-derived gradient")
struct SoftmaxRegressionTests {
    @Test("oneHot puts a single 1 in each row at the label")
    func oneHotEncoding() {
        #expect(oneHot([2, 0], classes: 3) == Matrix([[0, 0, 1], [1, 0, 0]]))
    }

    @Test("Cross-entropy of equal scores over k classes is log k; of a confident right answer, near 0")
    func crossEntropyKnownValues() {
        #expect(abs(crossEntropy(logits: Matrix([[0, 0]]), labels: [1]).mean - Float(log(2.0))) < 1e-6)
        #expect(
            abs(crossEntropy(logits: Matrix.zeros(rows: 3, columns: 10), labels: [0, 5, 9]).mean - Float(log(10.0)))
                < 1e-6)
        // Scores [2, 0] for class 0: -log(e^2 / (e^2 + 1)) = log(1 + e^-2) = 0.126928.
        let loss = crossEntropy(logits: Matrix([[2, 0], [2, 0]]), labels: [0, 0])
        #expect(abs(loss.mean - 0.126_928) < 1e-5)
        #expect(abs(loss.sum - 2 * 0.126_928) < 1e-5)
        // A very wrong, very confident prediction is a large finite loss, not infinity.
        #expect(crossEntropy(logits: Matrix([[1000, -1000]]), labels: [1]).mean == 2000)
    }

    /// Loss of `model` on a batch in Double precision, for central differences.
    func loss(_ model: SoftmaxRegression, _ x: Matrix, _ y: [Int]) -> Double {
        crossEntropy(logits: model.logits(x), labels: y).sum / Double(y.count)
    }

    @Test("dW = X^T (softmax(XW + b) - Y) / n and db match central differences in every entry")
    func gradientMatchesCentralDifferences() {
        var rng = SeededGenerator(seed: 3)
        var model = SoftmaxRegression(features: 5, classes: 4, using: &rng)
        model.weight = Matrix.normal(rows: 5, columns: 4, using: &rng)
        let x = Matrix.normal(rows: 6, columns: 5, using: &rng)
        let y = [0, 3, 1, 1, 2, 3]
        let analytic = model.gradients(inputs: x, labels: y)
        let h: Float = 1e-2
        var worst: Float = 0
        for i in 0..<5 {
            for j in 0..<4 {
                var plus = model, minus = model
                plus.weight[i, j] += h
                minus.weight[i, j] -= h
                let numeric = Float((loss(plus, x, y) - loss(minus, x, y)) / Double(2 * h))
                worst = max(worst, abs(numeric - analytic.weight[i, j]))
            }
        }
        for j in 0..<4 {
            var plus = model, minus = model
            plus.bias[0, j] += h
            minus.bias[0, j] -= h
            let numeric = Float((loss(plus, x, y) - loss(minus, x, y)) / Double(2 * h))
            worst = max(worst, abs(numeric - analytic.bias[0, j]))
        }
        // Gradient entries here are around 0.1-0.5; a factor of 2 or a transpose would be off by that much.
        #expect(worst < 2e-3)
        #expect(abs(analytic.loss - Float(loss(model, x, y))) < 1e-5)
    }

    @Test("The wrong rule (z - onehot) gives a different gradient from the true one")
    func wrongRuleDiffers() {
        var rng = SeededGenerator(seed: 4)
        let model = SoftmaxRegression(features: 3, classes: 3, using: &rng)
        let x = Matrix.normal(rows: 4, columns: 3, using: &rng)
        let right = model.gradients(inputs: x, labels: [0, 1, 2, 0])
        let wrong = model.gradients(inputs: x, labels: [0, 1, 2, 0], rule: .logitsMinusOneHot)
        let difference = (right.weight - wrong.weight).map(abs).max()
        #expect(difference > 0.05)
    }

    @Test("SGD steps drive the loss down and classify a separable toy problem perfectly")
    func trainsToyProblem() {
        var rng = SeededGenerator(seed: 5)
        var model = SoftmaxRegression(features: 2, classes: 2, using: &rng)
        // Class 0 to the left of x = 0, class 1 to the right.
        let x = Matrix([[-2, 1], [-1, -1], [-3, 0], [2, 1], [1, -1], [3, 0]])
        let y = [0, 0, 0, 1, 1, 1]
        let before = model.gradients(inputs: x, labels: y).loss
        for _ in 0..<200 { model.step(inputs: x, labels: y, learningRate: 0.5) }
        let after = model.gradients(inputs: x, labels: y).loss
        #expect(after < before / 10)
        #expect(model.predict(x) == y)
        var score = ClassificationScore()
        model.score(inputs: x, labels: y, into: &score)
        #expect(score.correct == 6 && score.count == 6)
    }
}
