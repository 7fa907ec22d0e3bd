// Tutorial 02: softmax regression on MNIST, with a gradient derived by hand.
//
// The simplest classifier that learns: every pixel votes for every digit with a learned weight,
// and the digit with the most votes wins. There is no hidden layer and no autograd here; we work
// out the gradient on paper, type it in, check it numerically, and train on the real 60,000 MNIST
// images. Tutorial 03 will then let autograd find the same gradient by itself.
//
// Run it with:   swift run -c release tutorial02 [--epochs N] [--lr X] [--gamma X] [--batch-size N] [--seed N] [--data DIR]

import ExerciseSupport
import Foundation
import Kindling
import ProgramSupport

var arguments = CommandLineArguments(
    usage: """
        usage: tutorial02 [--epochs N] [--lr X] [--gamma X] [--batch-size N] [--seed N] [--data DIR]
          --epochs N       passes over the training set (default 8)
          --lr X           starting learning rate of plain SGD (default 0.5)
          --gamma X        learning rate multiplier after each epoch (default 0.6)
          --batch-size N   images per gradient step (default 64)
          --seed N         seed of the initial weights and of the shuffling (default 1)
          --data DIR       data directory holding mnist/ (default: $KINDLING_DATA or ./data)
        """)
let epochs = arguments.integer("--epochs", default: 8, minimum: 1, maximum: 100_000)
let learningRate = arguments.number("--lr", default: 0.5, minimum: 0)
let gamma = arguments.number("--gamma", default: 0.6, minimum: 0)
let batchSize = arguments.integer("--batch-size", default: 64, minimum: 1, maximum: 1 << 20)
let seed = UInt64(arguments.integer("--seed", default: 1))
let dataDirectory = arguments.dataDirectory()
arguments.finish()

print(
    """
    Tutorial 02: softmax regression, gradient by hand
    =================================================

    """)

// MARK: - 1. The data

// MNIST: 28x28 grey images of handwritten digits, 0 = paper, 255 = ink. The loader reads the
// gzipped IDX files (see Sources/Datasets) and keeps the pixels as bytes.
let loadTime = Stopwatch()
let (train, test) = runOrExit {
    (try MNIST(split: .train, directory: dataDirectory), try MNIST(split: .test, directory: dataDirectory))
}
print(
    "Loaded MNIST from \(dataDirectory)/mnist in \(String(format: "%.1f", loadTime.seconds)) s: "
        + "\(train.count) training and \(test.count) test images of \(train.height)x\(train.width) pixels.\n")

print("The first eight training images and their labels:")
for first in [0, 4] {
    print(
        TerminalArt.render(
            (first..<first + 4).map { train.image($0) }, width: 28, height: 28,
            captions: (first..<first + 4).map { "label \(train.labels[$0])" }))
}
print("")

// The model sees an image as a flat row of 784 numbers in 0...1: the DataLoader flattens each
// image and scales bytes by 1/255. Position in the row is all that remains of the 2-D layout;
// a linear model cannot use more than that anyway.

// MARK: - 2. The model and its gradient
//
// Scores (logits):   z = x W + b         x: 1x784, W: 784x10, b: 1x10, z: 1x10
// Probabilities:     p = softmax(z),     p_j = e^{z_j} / S,  where S = sum_k e^{z_k}
// Loss:              L = -log p_y        (cross-entropy with the true digit y)
// onehot(y) is the 10-vector with 1 at the true digit y and 0 elsewhere.
//
// We want dL/dW and dL/db. Work backwards, one link of the chain at a time.
//
// (a) Softmax's derivative. For j == i, by the quotient rule,
//         dp_i/dz_i = (e^{z_i} S - e^{z_i} e^{z_i}) / S^2 = p_i - p_i^2 = p_i (1 - p_i),
//     and for j != i only the denominator depends on z_i:
//         dp_j/dz_i = -e^{z_j} e^{z_i} / S^2 = -p_j p_i.
//     Together: dp_j/dz_i = p_j (delta_ij - p_i), with delta_ij = 1 if i == j else 0.
//
// (b) The loss only looks at p_y:  dL/dz_i = -(1/p_y) dp_y/dz_i = -(delta_iy - p_i) = p_i - delta_iy.
//     In vector form:  dL/dz = p - onehot(y).   The error signal is "what you predicted minus
//     what was true": if you gave the true digit 0.7 and a wrong one 0.2, the signal is
//     0.7 - 1 = -0.3 for the true digit (push its score up) and +0.2 for the wrong one (push down).
//
// (c) z = x W + b, so z_j = sum_i x_i W_ij + b_j. Hence dz_j/dW_ij = x_i and dz_j/db_j = 1:
//         dL/dW_ij = x_i (p_j - onehot(y)_j),     dL/db_j = p_j - onehot(y)_j.
//
// (d) A batch of n images averages the loss, so each image contributes 1/n. Stacking images as
//     the rows of X (n x 784) and errors as the rows of dZ = (P - Y) / n (n x 10):
//         dW = X^T dZ   (784 x 10)          db = sum of the rows of dZ   (1 x 10)
//
// That is all of `SoftmaxRegression.gradients` (Sources/SoftmaxRegression).

var rng = SeededGenerator(seed: seed)
var model = SoftmaxRegression(features: 784, classes: 10, using: &rng)
let initialModel = model

// MARK: - 3. Check the derivation numerically
//
// A derivative is a slope: (L(w + h) - L(w - h)) / 2h approximates dL/dw for a small h (the
// "central difference", accurate to order h^2). If the formula above were wrong by a factor of 2
// or a transpose, this comparison would show it.
let probe = DataLoader(train, batchSize: 16).makeBatch(Array(0..<16))
let h: Float = 1e-2

/// Compares a gradient formula with central differences at five weights; returns the largest
/// disagreement.
func checkGradient(_ model: SoftmaxRegression, rule: SoftmaxRegression.GradientRule, show: Bool) -> Float {
    let analytic = model.gradients(inputs: probe.inputs, labels: probe.labels, rule: rule)
    var worstError: Float = 0
    for (row, column) in [(350, 3), (400, 7), (600, 0), (207, 9), (515, 5)] {
        var plus = model, minus = model
        plus.weight[row, column] += h
        minus.weight[row, column] -= h
        let numeric =
            (crossEntropy(logits: plus.logits(probe.inputs), labels: probe.labels).mean
                - crossEntropy(logits: minus.logits(probe.inputs), labels: probe.labels).mean) / (2 * h)
        let formula = analytic.weight[row, column]
        worstError = max(worstError, abs(numeric - formula))
        if show {
            print(
                "dL/dW[\(row), \(column)]: formula \(String(format: "% .6f", formula)), central difference \(String(format: "% .6f", numeric))"
            )
        }
    }
    return worstError
}
let worstError = checkGradient(model, rule: .softmaxMinusOneHot, show: true)
// Both are computed in 32-bit floats with h = 0.01: rounding alone can make them differ by up to
// about 1e-4 (the pass mark is 1e-3, to leave room), while a wrong formula (a factor of 2, a
// transpose) would be off by 1e-2 or more.
print(
    "Largest disagreement \(String(format: "%.1e", worstError)): "
        + (worstError < 1e-3 ? "float rounding, so the formula holds.\n" : "too large: the formula is WRONG.\n"))

// MARK: - 4. Train with stochastic gradient descent
//
// Each step takes a mini-batch, computes the gradient on it alone, and moves against it:
//     W <- W - lr * dW,   b <- b - lr * db.
// The batch gradient is a noisy estimate of the full-dataset gradient; thousands of cheap noisy
// steps beat a few exact expensive ones. An epoch is one pass over all 60,000 training images
// (938 batches of 64); shuffling every epoch keeps the batches varied.

func evaluate(_ model: SoftmaxRegression) -> ClassificationScore {
    var score = ClassificationScore()
    for batch in DataLoader(test, batchSize: 1000) {
        model.score(inputs: batch.inputs, labels: batch.labels, into: &score)
    }
    return score
}

func train(
    _ model: inout SoftmaxRegression, epochs: Int, rule: SoftmaxRegression.GradientRule,
    report: Bool, rate: Float
) -> [Float] {
    let loader = DataLoader(train, batchSize: batchSize, shuffle: true, seed: seed)
    var epochLosses: [Float] = []
    for epoch in 1...epochs {
        // Big steps first to get close fast, then smaller ones to settle instead of bouncing
        // around the minimum on the noise of each batch.
        let epochRate = rate * pow(gamma, Float(epoch - 1))
        let watch = Stopwatch()
        var lossSum = 0.0
        var steps = 0
        for batch in loader {
            lossSum += Double(
                model.step(
                    inputs: batch.inputs, labels: batch.labels,
                    learningRate: epochRate, rule: rule))
            steps += 1
        }
        let trainLoss = Float(lossSum / Double(steps))
        epochLosses.append(trainLoss)
        if report {
            let score = evaluate(model)
            print(
                "Epoch \(epoch): lr \(String(format: "%.3f", epochRate)), train loss \(String(format: "%.4f", trainLoss)), "
                    + "test accuracy \(String(format: "%.2f", score.accuracy * 100))% "
                    + "(\(String(format: "%.1f", watch.seconds)) s)")
        }
    }
    return epochLosses
}

// Before any step, the weights are small random numbers: every digit gets about the same score, so
// p is about 1/10 for each and the loss is about -log(1/10) = ln 10 = 2.30. Measure it on the
// whole training set. (Each epoch's "training loss" below is different: the average of that
// epoch's batch losses, each measured while the weights were still changing, so early batches
// count a worse model; it runs a little above the loss of the weights at the epoch's end.)
func trainingLoss(_ model: SoftmaxRegression) -> Float {
    var total = 0.0
    for batch in DataLoader(train, batchSize: 1000) {
        total +=
            Double(crossEntropy(logits: model.logits(batch.inputs), labels: batch.labels).mean) * Double(batch.count)
    }
    return Float(total / Double(train.count))
}
let initialLoss = trainingLoss(model)
print(
    "Training: \(epochs) epochs, batch \(batchSize), SGD learning rate \(learningRate) times \(gamma) after each epoch")
print(
    "Before the first step: training loss \(String(format: "%.4f", initialLoss)) (ln 10 = \(String(format: "%.4f", log(10.0))))"
)
let trainingTime = Stopwatch()
let losses = train(&model, epochs: epochs, rule: .softmaxMinusOneHot, report: true, rate: learningRate)
var lossChart = LineChart(title: "Softmax regression, gradient by hand", xLabel: "epoch", yLabel: "mean training loss")
lossChart.add(
    "cross-entropy",
    points: [(0, Double(initialLoss))] + losses.enumerated().map { (Double($0.offset + 1), Double($0.element)) })
runOrExit { try FileWriting.write(LineChart.svg([lossChart]), to: "tutorial02-loss.svg") }
print(
    "Wrote tutorial02-loss.svg: the training loss from before the first step (epoch 0) to the end (open it in a browser)."
)
print(
    "Trained in \(String(format: "%.1f", trainingTime.seconds)) s; the training loss fell from "
        + "\(String(format: "%.4f", initialLoss)) before the first step to \(String(format: "%.4f", losses.first!)) "
        + "averaged over epoch 1 and \(String(format: "%.4f", losses.last!)) over epoch \(epochs).\n")

// What the model learned, as pictures: column j of W holds one weight per pixel for digit j, so it
// can be drawn as a 28x28 image, a template the digit is matched against (positive weights
// white: ink there votes for the digit; negative black: ink there votes against it).
var templates = ImageGrid(columns: 10, imageWidth: 28, imageHeight: 28, scale: 3)
for digit in 0..<10 {
    let column = (0..<784).map { model.weight[$0, digit] }
    let largest = max(column.map(abs).max() ?? 1, 1e-6)
    templates.add(grey: column.map { 0.5 + 0.5 * $0 / largest }, caption: "\(digit)")
}
runOrExit { try templates.render().write(to: "tutorial02-templates.png") }
print("Wrote tutorial02-templates.png: the ten learned weight templates (white votes for the digit, black against).\n")

// MARK: - 5. A lesson: the tempting wrong gradient
//
// It is easy to write dL/dz = z - onehot(y), forgetting the softmax: the raw scores minus the
// truth. That is the gradient of (1/2)||z - y||^2, a different loss: it pushes every score toward
// exactly 0 or 1 instead of making the right class most probable. It still "learns" something,
// which is what makes the bug hard to see; the numbers show the cost.
func describe(_ score: ClassificationScore) -> String {
    score.averageLoss.isFinite
        ? "test accuracy \(String(format: "%.2f", score.accuracy * 100))%, cross-entropy \(String(format: "%.4f", score.averageLoss))"
        : "the weights overflowed to infinity/NaN (diverged); accuracy \(String(format: "%.2f", score.accuracy * 100))%"
}
var wrongModel = initialModel
_ = train(&wrongModel, epochs: 1, rule: .logitsMinusOneHot, report: false, rate: learningRate)
print("Same start, one epoch with the wrong gradient (z - onehot, no softmax):")
print("  at learning rate \(learningRate): \(describe(evaluate(wrongModel)))")
// z - y grows with z (the softmax version is bounded by 1), so large steps overshoot more each
// time. A much smaller rate keeps it stable, and shows how far it falls short even then.
wrongModel = initialModel
_ = train(&wrongModel, epochs: 1, rule: .logitsMinusOneHot, report: false, rate: learningRate / 10)
print("  at learning rate \(learningRate / 10): \(describe(evaluate(wrongModel)))")
var rightModel = initialModel
_ = train(&rightModel, epochs: 1, rule: .softmaxMinusOneHot, report: false, rate: learningRate)
print(
    """
      The right gradient, same start, same single epoch: \(describe(evaluate(rightModel))).
    """)
// The check of step 3 on the wrong formula, at the same starting weights:
let wrongError = checkGradient(initialModel, rule: .logitsMinusOneHot, show: false)
print(
    """
      The numeric check of step 3 on the wrong formula: largest disagreement \(String(format: "%.1e", wrongError)) \
    (\(Int(wrongError / max(worstError, 1e-12)))x the right formula's \(String(format: "%.1e", worstError))): \
    \(wrongError > 1e-3 ? "it catches the mistake before any training." : "it would NOT have caught it.")

    """)

// MARK: - 6. The final score on the 10,000 test images
//
// Before it, the exercises of this step: softmax and the gradient above, written by you
// (Tutorials/Exercises/2.1 and 2.2, graded by `exercise check`).

let finalScore = evaluate(model)
print(ExerciseCatalogue.announcement(tutorial: 2))
print("Test set: \(finalScore)")
