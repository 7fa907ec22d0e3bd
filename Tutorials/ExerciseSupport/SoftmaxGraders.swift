import Foundation
import MatrixMath

/// The graders of tutorial 02's exercises: softmax, and the gradient of softmax regression.
public enum SoftmaxGraders {
    /// Known rows, large scores, rows on their own, and the library's softmax on random scores.
    public static func softmaxRows(_ learner: (Matrix) throws -> Matrix, grader: Grader) throws {
        try grader.check(
            "softmax of [1, 2, 3] and of [0, 0], known answers",
            hint: "p[j] = exp(z[j]) / (exp(z[0]) + exp(z[1]) + ...): each row sums to 1"
        ) {
            let result = try learner(Matrix([[1, 2, 3], [0, 0, 0]]))
            let expected = Matrix([[0.09003057, 0.24472847, 0.66524096], [1.0 / 3, 1.0 / 3, 1.0 / 3]])
            try expectClose(result, expected, what: "softmax")
        }
        try grader.check(
            "each row on its own: two rows of different scores",
            hint: "softmax runs along each row (one image's scores for the classes), never down a column"
        ) {
            let z = Matrix([[0, 1], [3, 1]])
            try expectClose(
                try learner(z), z.softmax(dim: 1), what: "softmax",
                mistakes: [("softmax down the columns", z.softmax(dim: 0).storage)])
        }
        try grader.check(
            "scores of 1000, 1001, 1002 (exp(1000) overflows Float)",
            hint:
                "subtract the row's largest score before exp: softmax(z - max) = softmax(z), and exp(0) = 1 cannot overflow"
        ) {
            try expectClose(
                try learner(Matrix([[1000, 1001, 1002]])), Matrix([[0.09003057, 0.24472847, 0.66524096]]),
                what: "softmax")
        }
        try grader.check(
            "random 7x10 scores against the library's softmax",
            hint: "p[i, j] = exp(z[i, j] - max_i) / sum_c exp(z[i, c] - max_i)"
        ) {
            let z = randomMatrix(7, 10, seed: 21).map { $0 * 8 }
            try expectClose(try learner(z), z.softmax(dim: 1), what: "softmax")
        }
    }

    /// The mean cross-entropy of softmax regression on a batch, in Double, for central differences.
    static func loss(inputs: Matrix, labels: [Int], weight: [Double], bias: [Double], classes: Int) -> Double {
        var total = 0.0
        for row in 0..<inputs.rows {
            var scores = [Double](repeating: 0, count: classes)
            for c in 0..<classes {
                var z = bias[c]
                for f in 0..<inputs.columns { z += Double(inputs[row, f]) * weight[f * classes + c] }
                scores[c] = z
            }
            let largest = scores.max()!
            let logSum = largest + Foundation.log(scores.reduce(0) { $0 + Foundation.exp($1 - largest) })
            total += logSum - scores[labels[row]]
        }
        return total / Double(inputs.rows)
    }

    /// Shapes, then each gradient against central differences of the loss, on two batches.
    public static func softmaxRegressionGradients(
        _ learner: (Matrix, [Int], Matrix, Matrix) throws -> (weight: Matrix, bias: Matrix), grader: Grader
    ) throws {
        for (batch, features, classes, seed) in [(5, 6, 4, UInt64(1)), (16, 12, 10, UInt64(2))] {
            let inputs = randomMatrix(batch, features, seed: seed)
            let labels = (0..<batch).map { ($0 * 7 + Int(seed)) % classes }
            let weight = randomMatrix(features, classes, seed: seed + 10),
                bias = randomMatrix(1, classes, seed: seed + 20)
            let answer = try learner(inputs, labels, weight, bias)
            let batchText = "a batch of \(batch) (\(features) features, \(classes) classes)"
            // What the usual mistakes give, to name them when they are made.
            let scores = inputs.matmul(weight) + bias
            let truth = Matrix(
                rows: batch, columns: classes,
                storage: (0..<batch * classes).map { labels[$0 / classes] == $0 % classes ? 1 : 0 })
            let right = (scores.softmax(dim: 1) - truth) / Float(batch)
            let withoutSoftmax = (scores - truth) / Float(batch)
            let withoutMean = scores.softmax(dim: 1) - truth
            try grader.check(
                "the gradients have W's and b's shapes (\(features)x\(classes) and 1x\(classes)), \(batchText)",
                hint:
                    "dW = X^T dZ is features x classes like W (dZ^T X would be its transpose); db is 1 x classes like b"
            ) {
                try expect(
                    answer.weight.rows == features && answer.weight.columns == classes,
                    "dW is \(answer.weight.shapeText), W is \(weight.shapeText)")
                try expect(
                    answer.bias.rows == 1 && answer.bias.columns == classes,
                    "db is \(answer.bias.shapeText), b is \(bias.shapeText)")
            }
            try grader.check(
                "dW matches central differences of the mean cross-entropy, \(batchText)",
                hint: "dZ = (softmax(Z) - onehot(labels)) / n, then dW = X^T dZ"
            ) {
                let numeric = centralDifferences(
                    { w in
                        loss(
                            inputs: inputs, labels: labels, weight: w, bias: bias.storage.map(Double.init),
                            classes: classes)
                    },
                    at: weight.storage.map(Double.init))
                try expectClose(
                    answer.weight.storage, numeric, shape: [features, classes], what: "dW", tolerance: 1e-3,
                    mistakes: [
                        (
                            "the scores without softmax (Z - onehot)",
                            inputs.matmul(withoutSoftmax, transposeSelf: true).storage
                        ),
                        ("a sum instead of the mean (no 1/n)", inputs.matmul(withoutMean, transposeSelf: true).storage),
                    ])
            }
            try grader.check(
                "db matches central differences of the mean cross-entropy, \(batchText)",
                hint: "b is added to every row of Z, so db sums dZ over the batch: db[c] = sum over i of dZ[i, c]"
            ) {
                let numeric = centralDifferences(
                    { b in
                        loss(
                            inputs: inputs, labels: labels, weight: weight.storage.map(Double.init), bias: b,
                            classes: classes)
                    },
                    at: bias.storage.map(Double.init))
                try expectClose(
                    answer.bias.storage, numeric, shape: [1, classes], what: "db", tolerance: 1e-3,
                    mistakes: [
                        ("the scores without softmax (Z - onehot)", withoutSoftmax.sum(dim: 0).storage),
                        ("a sum instead of the mean (no 1/n)", withoutMean.sum(dim: 0).storage),
                        ("only the first row of dZ", Array(right.storage[0..<classes])),
                    ])
            }
        }
    }
}
