// Tutorial 04: modules, parameters and a fit loop: a multi-layer perceptron.
//
// A linear model can only draw straight boundaries between digits. Stacking Linear layers with
// a non-linearity between them (ReLU: relu(x) = max(0, x), element by element) lets the network
// bend them. Here we build the source
// material's MLP 784 -> 128 -> 256 -> 10, look at how `Module` finds its parameters, and write
// the training loop every later model reuses: train on one part of the data, watch the loss on a
// held-out part (validation) after every epoch, and only at the end touch the test set.
//
// Run it with:   swift run -c release tutorial04 [--epochs N] [--adam-epochs N] [--batch-size N] [--seed N] [--data DIR]

import ExerciseSupport
import Foundation
import Kindling
import ProgramSupport

var arguments = CommandLineArguments(
    usage: """
        usage: tutorial04 [--epochs N] [--adam-epochs N] [--batch-size N] [--seed N] [--data DIR]
          --epochs N        epochs of SGD, lr 0.001 (default 25, as the source material)
          --adam-epochs N   epochs of Adam, lr 0.001, for comparison (default 5)
          --batch-size N    images per step (default 64)
          --seed N          seed of the weights and the shuffling (default 1)
          --data DIR        data directory holding mnist/ (default: $KINDLING_DATA or ./data)
        """)
let sgdEpochs = arguments.integer("--epochs", default: 25, minimum: 1, maximum: 100_000)
let adamEpochs = arguments.integer("--adam-epochs", default: 5, minimum: 1, maximum: 100_000)
let batchSize = arguments.integer("--batch-size", default: 64, minimum: 1, maximum: 1 << 20)
let seed = UInt64(arguments.integer("--seed", default: 1))
let dataDirectory = arguments.dataDirectory()
arguments.finish()

print(
    """
    Tutorial 04: modules and a fit loop
    ===================================

    """)

// MARK: - 1. A model is a Module of Modules
//
// Each layer is a stored property. `Module` finds the parameters by reflection (Swift's Mirror)
// over those properties, in the order they are declared, and names them after them:
// hidden1.weight, hidden1.bias, ... exactly PyTorch's state-dict keys. There is no list of
// parameters to keep in step with the properties: the properties are the list. The library's
// `MLP` is the model `mnist train --model mlp` trains; this prints its definition from the source.
// Without the ReLUs the three layers would multiply out to a single 784 -> 10 matrix.

SourceListing.show("final class MLP", in: "Sources/Models/MLP.swift")
print("")

manualSeed(seed)
let preview = MLP()
print(preview)
print("\nIts parameters, as namedParameters() finds them:")
for (name, parameter) in preview.namedParameters() {
    print(
        "  \(name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(parameter.shapeText.padding(toLength: 11, withPad: " ", startingAt: 0)) \(parameter.count) values"
    )
}
print("  total: \(preview.parameterCount) learned values\n")

// MARK: - 2. Training, validation and test data
//
// The source material trains on 50,000 images and validates on the other 10,000 of the training
// file; the 10,000 test images stay unseen until the end. Validation loss tells us, epoch by
// epoch, whether the model still improves on images it does not train on: when it stops falling,
// or rises again, the model has started memorising its training images.

let (train, test) = runOrExit {
    (try MNIST(split: .train, directory: dataDirectory), try MNIST(split: .test, directory: dataDirectory))
}
let validationRange = 50_000..<60_000
let validationLoader = DataLoader(train, batchSize: 2 * batchSize, range: validationRange)
let testLoader = DataLoader(test, batchSize: 1000)
print("Training on images 0..<50000, validating on 50000..<60000, testing on the \(test.count) test images.\n")

// MARK: - 3. The fit loop
//
// train() and eval() switch modes: they matter for layers like Dropout (in the pytorch-example
// model: `mnist train --model pytorch-example`), which while learning zeroes a random share of
// its inputs (and scales up the rest) so no unit can rely on another, and at evaluation passes
// everything through. The fit loop below calls them for you (TrainingRun). Evaluation also runs inside withNoGrad (in `evaluate`), so
// no graph is recorded for it.

var validationCurves: [String: [(x: Double, y: Double)]] = [:]
var trainingCurves: [String: [(x: Double, y: Double)]] = [:]
var validationAccuracies: [String: [Double]] = [:]

/// Trains on images 0..<50000 for `epochs`, printing the validation loss and accuracy after each
/// epoch: a `TrainingRun` whose evaluation set is the validation split.
@MainActor
func fit(_ model: MLP, optimizer: Optimizer, epochs: Int, label: String) {
    let trainLoader = DataLoader(train, batchSize: batchSize, shuffle: true, seed: seed, range: 0..<50_000)
    var run = TrainingRun(modelName: "mlp", epochs: epochs)
    run.evaluationName = "Validation set"
    run.printsEpochs = false
    run.progress = SilentProgress()
    run.onEpochEnd = { summary in
        guard let validation = summary.score else { return }
        validationCurves[label, default: []].append((Double(summary.epoch), validation.averageLoss))
        validationAccuracies[label, default: []].append(validation.accuracy)
        trainingCurves[label, default: []].append((Double(summary.epoch), summary.training.averageLoss))
        print(
            "\(label) epoch \(String(format: "%2d", summary.epoch)): training loss \(String(format: "%.4f", summary.training.averageLoss)), "
                + "validation loss \(String(format: "%.4f", validation.averageLoss)), "
                + "accuracy \(String(format: "%.2f", validation.accuracy * 100))% (\(String(format: "%.2f", summary.training.seconds)) s)"
        )
    }
    _ = runOrExit {
        try run.train(model: model, optimizer: optimizer, trainLoader: trainLoader, testLoader: validationLoader)
    }
}

// MARK: - 4. Plain SGD with a small learning rate, as the source material
//
// lr = 0.001 is cautious: the loss creeps down for the first epochs, then falls faster as the
// layers start to cooperate. Watch the validation loss.

manualSeed(seed)
let sgdModel = MLP()
print("SGD, lr 0.001, batch \(batchSize), \(sgdEpochs) epochs:")
fit(sgdModel, optimizer: SGD(parameters: sgdModel.parameters(), learningRate: 1e-3), epochs: sgdEpochs, label: "SGD")
let sgdScore = evaluate(sgdModel, on: testLoader)
print("SGD test set: \(sgdScore)\n")

// MARK: - 5. The same network with Adam
//
// Same architecture, same initial weights, another optimiser: Adam adapts each parameter's step
// size. Plain SGD at lr 0.001 is simply cautious (tutorial 02 used lr 0.5 on a simpler model);
// Adam gets far in a few epochs without tuning the rate.

manualSeed(seed)
let adamModel = MLP()
print("Adam, lr 0.001, batch \(batchSize), \(adamEpochs) epochs:")
fit(
    adamModel, optimizer: Adam(parameters: adamModel.parameters(), learningRate: 1e-3), epochs: adamEpochs,
    label: "Adam")
let adamScore = evaluate(adamModel, on: testLoader)

// What happened, read from this run's numbers rather than told in advance.
let sgdValidation = (validationCurves["SGD"] ?? []).map(\.y), adamValidation = (validationCurves["Adam"] ?? []).map(\.y)
let adamTraining = (trainingCurves["Adam"] ?? []).map(\.y)
let adamValidationAccuracy = validationAccuracies["Adam"] ?? []
let adamBest = adamValidation.indices.min { adamValidation[$0] < adamValidation[$1] } ?? 0
let sgdStillFalling =
    sgdValidation.count >= 2 && sgdValidation[sgdValidation.count - 1] < sgdValidation[sgdValidation.count - 2]
print(
    """

    SGD after \(sgdEpochs) epochs reached \(String(format: "%.2f", sgdScore.accuracy * 100))% on the test set; \
    Adam after \(adamEpochs) reached \(String(format: "%.2f", adamScore.accuracy * 100))%.
    The linear model of tutorials 02 and 03 stopped at about 92-93%: \
    \(adamScore.accuracy > 0.93 ? "with Adam the hidden layers go beyond it" : "here the hidden layers did not beat it").
    SGD's validation loss \(sgdStillFalling ? "was still falling at its last epoch" : "had stopped falling") \
    (\(String(format: "%.4f", sgdValidation.last ?? 0))): \
    \(sgdStillFalling ? "at lr 0.001 it is too cautious to finish in \(sgdEpochs) epochs, not stuck." : "it has converged.")
    """)
// A training loss above the validation loss is not a paradox: each epoch's training loss averages
// the batch losses of the whole epoch, measured while the weights were still improving.
let sgdTraining = (trainingCurves["SGD"] ?? []).map(\.y)
if let lastTraining = sgdTraining.last, let lastValidation = sgdValidation.last, lastTraining > lastValidation {
    print(
        """
        SGD's last training loss (\(String(format: "%.4f", lastTraining))) is above its validation loss \
        (\(String(format: "%.4f", lastValidation))): the training loss averages the epoch's batches, each measured \
        before that epoch's later steps improved the weights; the validation loss is measured after them.
        \(sgdScore.accuracy < 0.92 ? "And after \(sgdEpochs) cautious epochs the deeper network is still below tutorial 02's linear model: capacity pays only once the optimiser can use it, as Adam shows next." : "")
        """)
}
if adamBest < adamValidation.count - 1 {
    print(
        """
        Adam's validation loss was lowest after epoch \(adamBest + 1) (\(String(format: "%.4f", adamValidation[adamBest]))) \
        and rose to \(String(format: "%.4f", adamValidation.last ?? 0)) by epoch \(adamValidation.count), while its \
        training loss kept falling (\(String(format: "%.4f", adamTraining[adamBest])) to \(String(format: "%.4f", adamTraining.last ?? 0))): \
        the model has begun to fit its training images better than new ones: the start of overfitting \
        (validation accuracy \(String(format: "%.2f", adamValidationAccuracy[adamBest] * 100))% then, \
        \(String(format: "%.2f", (adamValidationAccuracy.last ?? 0) * 100))% now). Watching it is the point of a \
        validation split: longer runs stop, or keep the weights, where validation loss was lowest (this \
        tutorial reports the last epoch's weights, as the source material does).

        """)
} else {
    print("Adam's validation loss was still falling at its last epoch: no sign of overfitting yet.\n")
}
var chart = LineChart(
    title: "MLP 784-128-256-10: training and validation loss", xLabel: "epoch", yLabel: "cross-entropy")
for label in ["SGD", "Adam"] {
    chart.add("\(label) training", points: trainingCurves[label] ?? [])
    chart.add("\(label) validation", points: validationCurves[label] ?? [])
}
runOrExit { try FileWriting.write(LineChart.svg([chart]), to: "tutorial04-validation.svg") }
print("Wrote tutorial04-validation.svg: training and validation loss per epoch, SGD and Adam.\n")
// The exercises of this step: a Module of your own, and the two optimisers' updates
// (Tutorials/Exercises/4.1 to 4.3, graded by `exercise check`).
print(ExerciseCatalogue.announcement(tutorial: 4))
print("Test set: \(adamScore)")
