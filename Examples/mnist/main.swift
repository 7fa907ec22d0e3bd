// mnist: train, test and try the MNIST models of Kindling from the command line.
//
//   swift run -c release mnist train --model convnet --epochs 5 --save convnet.safetensors
//   swift run -c release mnist test --model convnet --weights convnet.safetensors
//   swift run -c release mnist predict --model convnet --weights convnet.safetensors --count 8
//   swift run -c release mnist img --count 32

import Foundation
import Kindling
import ProgramSupport

let usage = """
    usage: mnist <command> [options]

    commands:
      train     train a model and report its test accuracy
      test      evaluate saved weights on the 10,000 test images
      predict   show random test images with true and predicted labels (terminal and PNG)
      img       save a PNG grid of training images and their labels

    train options:
      --model M             linear | mlp | convnet | cnn | pytorch-example (default convnet)
      --epochs N            passes over the training set (default: the model's recipe)
      --batch-size N        images per step (default: the recipe's)
      --test-batch-size N   images per evaluation batch (default 1000)
      --optimizer O         sgd | adam | adadelta (default: the recipe's)
      --lr X                learning rate (default: the recipe's)
      --momentum X          SGD momentum (default 0)
      --gamma X             learning rate multiplier after each epoch, StepLR (default: the recipe's)
      --seed N              seed of the weights, shuffling and dropout (default 1)
      --limit N             train on the first N images only
      --save FILE           save the trained weights as safetensors
      --log-interval N      batches between progress lines (default 10)
      --threads N           cores to use (default: all)
      --dry-run             one batch per epoch, to check that everything runs
      --plot FILE.svg       draw the training loss and test accuracy (updated after every epoch)
      --checkpoint DIR      save weights, optimiser, schedule and random state after every epoch
      --resume              continue from the last checkpoint in DIR (same seed and threads give
                            exactly the weights of an uninterrupted run)
      --data DIR            data directory holding mnist/ (default: $KINDLING_DATA or ./data)

    test options:     --model M --weights FILE [--test-batch-size N] [--gallery FILE.png] [--data DIR]
                      prints the confusion matrix, per-digit accuracy and the Test set line;
                      --gallery writes the misclassified images with true>predicted labels
    predict options:  --model M --weights FILE [--count N] [--seed N] [--output FILE.png] [--data DIR]
                      --image FILE classifies your own digit instead (PNG, PGM or PPM; dark on
                      light or light on dark; it is cropped, scaled and centred as MNIST was,
                      thin strokes widened to MNIST's) and writes the prepared 28x28 digit to
                      --output (default prepared-digit.png)
    img options:      [--count N] [--output FILE.png] [--data DIR]

    Recipes (the source material's): linear: Adam 1e-3, batch 600, 100 epochs; mlp: SGD 1e-3, batch 64, 25 epochs;
    convnet: Adam 1e-3, batch 200, 5 epochs, inputs normalised 0.5/0.5; cnn: Adam 1e-3, batch 64,
    10 epochs; pytorch-example: Adadelta 1.0 with StepLR 0.7, batch 64, 14 epochs.
    """

var arguments = CommandLineArguments(usage: usage)
guard let command = arguments.subcommand() else {
    printError("mnist: which command? train, test, predict or img (mnist --help lists the options)")
    exit(2)
}
if let threads = arguments.integer("--threads", minimum: 1, maximum: 1024) { Parallelism.threadCount = threads }

switch command {
case "train": train()
case "test": test()
case "predict": predict()
case "img": img()
default:
    printError(
        "mnist: unknown command '\(printable(command))': train, test, predict or img (mnist --help lists the options)")
    exit(2)
}

/// The --model option as a recipe; exits with the usage on an unknown name.
@MainActor
func recipeOption(default name: String? = "convnet") -> MNISTRecipe {
    let choices = MNISTRecipe.allCases.map(\.rawValue)
    guard let chosen = arguments.choice("--model", among: choices) ?? name, let recipe = MNISTRecipe(rawValue: chosen)
    else {
        arguments.finish()
        printError("mnist: --model is required (one of \(choices.joined(separator: ", ")))")
        exit(2)
    }
    return recipe
}

/// Loads saved weights into a fresh model of the recipe, or exits saying what is wrong.
@MainActor
func loadModel(_ recipe: MNISTRecipe, weights: String?) -> Module {
    guard let weights else {
        printError(
            "mnist: --weights FILE.safetensors is required; make one with: mnist train --model \(recipe.rawValue) --save FILE.safetensors"
        )
        exit(2)
    }
    let model = recipe.makeModel()
    runOrExit {
        guard FileManager.default.fileExists(atPath: weights) else {
            throw FileError(
                path: weights, action: "read",
                reason: "file not found; make it with: mnist train --model \(recipe.rawValue) --save \(weights)")
        }
        try model.load(from: weights)
    }
    return model
}

@MainActor
func train() {
    let recipe = recipeOption()
    let epochs = arguments.integer("--epochs", default: recipe.epochs, minimum: 1, maximum: 100_000)
    let batchSize = arguments.integer("--batch-size", default: recipe.batchSize, minimum: 1, maximum: 1 << 20)
    let testBatchSize = arguments.integer("--test-batch-size", default: 1000, minimum: 1, maximum: 1 << 20)
    let optimizerKind =
        arguments.choice("--optimizer", among: MNISTRecipe.OptimizerKind.allCases.map(\.rawValue))
        .flatMap(MNISTRecipe.OptimizerKind.init) ?? recipe.optimizer
    let learningRate = arguments.number(
        "--lr",
        default: optimizerKind == recipe.optimizer ? recipe.learningRate : (optimizerKind == .adadelta ? 1.0 : 1e-3),
        minimum: 0)
    let momentum = arguments.number("--momentum", default: 0, minimum: 0)
    let gamma = arguments.number("--gamma", default: recipe.gamma, minimum: 0)
    let seed = UInt64(arguments.integer("--seed", default: 1))
    let limit = arguments.integer("--limit", minimum: 1)
    let savePath = arguments.string("--save")
    let logInterval = arguments.integer("--log-interval", default: 10, minimum: 1)
    let dryRun = arguments.flag("--dry-run")
    let plotPath = arguments.string("--plot")
    let checkpoint = arguments.string("--checkpoint")
    let resume = arguments.flag("--resume")
    let directory = arguments.dataDirectory()
    arguments.finish()
    if resume && checkpoint == nil {
        printError("mnist: --resume needs --checkpoint DIR (the directory the interrupted run saved to)")
        exit(2)
    }
    // Every output is checked now, before the data loads and the first step runs: a typo in a
    // path costs a second, not a training run.
    checkOutputs([savePath, plotPath])

    let (trainSet, testSet) = runOrExit {
        (try MNIST(split: .train, directory: directory), try MNIST(split: .test, directory: directory))
    }
    manualSeed(seed)
    let model = recipe.makeModel()
    let optimizer = MNISTRecipe.makeOptimizer(
        optimizerKind, parameters: model.parameters(),
        learningRate: learningRate, momentum: momentum)
    let trainLoader = DataLoader(
        trainSet, batchSize: batchSize, shuffle: true, seed: seed, limit: limit,
        normalize: recipe.normalization)
    let testLoader = DataLoader(testSet, batchSize: testBatchSize, normalize: recipe.normalization)
    print(model)
    print(
        "Training \(recipe.rawValue) (\(model.parameterCount) parameters) on \(trainLoader.sampleCount) images: "
            + "\(epochs) epochs, batch \(batchSize), \(optimizerKind.rawValue) lr \(learningRate)"
            + (optimizerKind == .sgd ? " momentum \(momentum)" : "") + (gamma != 1 ? ", StepLR gamma \(gamma)" : "")
            + ", \(Parallelism.threadCount) threads")
    var run = TrainingRun(modelName: recipe.rawValue, epochs: epochs, checkpointDirectory: checkpoint, resume: resume)
    run.gamma = gamma
    run.logInterval = logInterval
    run.dryRun = dryRun
    run.plotPath = plotPath
    run.progress = ProgressBar.ifTerminal()
    let outcome = runOrExit {
        try run.train(model: model, optimizer: optimizer, trainLoader: trainLoader, testLoader: testLoader)
    }
    if outcome.diverged { exit(1) }
    let score = outcome.score
    if let plotPath { print("Wrote \(plotPath): training loss per logged step and test accuracy per epoch.") }
    if let savePath {
        runOrExit {
            try model.save(
                to: savePath,
                metadata: [
                    "model": recipe.rawValue, "epochs": "\(outcome.epochsCompleted)",
                    "test_accuracy": String(format: "%.4f", score.accuracy),
                ])
        }
        print(
            "Saved the weights to \(savePath) (safetensors, PyTorch's names: \(model.namedParameters().map(\.name).joined(separator: ", ")))"
        )
    }
}

@MainActor
func test() {
    let recipe = recipeOption(default: nil)
    let weights = arguments.string("--weights")
    let testBatchSize = arguments.integer("--test-batch-size", default: 1000, minimum: 1, maximum: 1 << 20)
    let gallery = arguments.string("--gallery")
    let directory = arguments.dataDirectory()
    arguments.finish()
    checkOutputs([gallery])
    let model = loadModel(recipe, weights: weights)
    let testSet = runOrExit { try MNIST(split: .test, directory: directory) }
    let loader = DataLoader(testSet, batchSize: testBatchSize, normalize: recipe.normalization)
    let result = predictions(model, on: loader)
    var matrix = ConfusionMatrix(classNames: testSet.classNames)
    matrix.add(predictions: result.predicted, labels: result.labels)
    print("Confusion matrix (rows: true digit, columns: predicted digit):")
    print(matrix)
    let wrong = zip(result.indices, zip(result.predicted, result.labels)).filter { $0.1.0 != $0.1.1 }
    if let gallery {
        var grid = ImageGrid(columns: 10, imageWidth: 28, imageHeight: 28, scale: 2)
        for (index, (predicted, truth)) in wrong {
            grid.add(grey: testSet.image(index), caption: "\(truth)>\(predicted)", color: [255, 120, 120])
        }
        runOrExit { try grid.render().write(to: gallery) }
        print("\nWrote \(gallery): the \(wrong.count) misclassified test images, captioned true>predicted.")
    }
    print("\nTest set: \(evaluate(model, on: loader))")
}

@MainActor
func predict() {
    let recipe = recipeOption(default: nil)
    let weights = arguments.string("--weights")
    let count = arguments.integer("--count", default: 8, minimum: 1, maximum: 1000)
    let seed = UInt64(arguments.integer("--seed", default: 0))
    let imagePath = arguments.string("--image")
    let output = arguments.string("--output", default: imagePath == nil ? "predictions.png" : "prepared-digit.png")
    let directory = arguments.dataDirectory()
    arguments.finish()
    checkOutputs([output])
    let model = loadModel(recipe, weights: weights)
    model.eval()
    if let imagePath {
        classify(imagePath, model: model, recipe: recipe, output: output)
        return
    }
    let testSet = runOrExit { try MNIST(split: .test, directory: directory) }
    var generator = SeededGenerator(seed: seed)
    let chosen = (0..<count).map { _ in Int(generator.next() % UInt64(testSet.count)) }
    let batch = DataLoader(testSet, batchSize: count, normalize: recipe.normalization).makeBatch(chosen)
    let probabilities = withNoGrad { model(batch.images).softmax(dim: 1) }
    let predictions = probabilities.argmax(dim: 1)
    var grid = ImageGrid(columns: Swift.min(count, 8), imageWidth: 28, imageHeight: 28, scale: 3)
    for (row, index) in chosen.enumerated() {
        let truth = testSet.labels[index], predicted = predictions[row]
        let confidence = probabilities.data[row * 10 + predicted]
        print(
            "test image \(index): true \(truth), predicted \(predicted) (\(String(format: "%.1f", confidence * 100))%)"
                + (truth == predicted ? "" : "  <- wrong"))
        grid.add(
            grey: testSet.image(index), caption: "\(truth)>\(predicted)",
            color: truth == predicted ? [120, 230, 120] : [255, 90, 90])
    }
    for start in stride(from: 0, to: count, by: 4) {
        let slice = Array(chosen[start..<Swift.min(start + 4, count)])
        print(
            TerminalArt.render(
                slice.map { testSet.image($0) }, width: 28, height: 28,
                captions: slice.enumerated().map {
                    "true \(testSet.labels[$0.element]) pred \(predictions[start + $0.offset])"
                }))
    }
    runOrExit { try grid.render().write(to: output) }
    print("Wrote \(output): each image captioned true>predicted, green when right, red when wrong.")
}

/// Classifies a digit the user drew: read the picture, prepare it as MNIST's digits were
/// prepared, and print the three most likely digits.
@MainActor
func classify(_ path: String, model: Module, recipe: MNISTRecipe, output: String) {
    let picture = runOrExit { try ImageFile(contentsOf: path) }
    let digit = runOrExit {
        do {
            return try DigitPreparation.prepare(grey: picture.grey, width: picture.width, height: picture.height)
        } catch {
            throw DatasetError(path: path, reason: "\(error)")
        }
    }
    print(
        "\(path): \(picture.width)x\(picture.height) pixels, prepared as MNIST (ink white on black, 20x20 box, centred by mass):"
    )
    let width = String(format: "%.1f", digit.drawnStrokeWidth)
    print(
        digit.strokesWidened
            ? "Your strokes would be \(width) pixels wide at MNIST's size, thinner than its 2.4: redrawn 2.4 wide."
            : "Your strokes are \(width) pixels wide at MNIST's size (MNIST's are about 2.4): kept as drawn.")
    print(TerminalArt.render(digit.pixels, width: 28, height: 28))
    if let warning = digit.warning { print(warning) }
    var input = digit.pixels
    recipe.normalization?.apply(to: &input, channels: 1, planeSize: 28 * 28)
    let probabilities = withNoGrad { model(Tensor(shape: [1, 1, 28, 28], data: input)).softmax(dim: 1) }.data
    let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
    for (rank, label) in ranked.prefix(3).enumerated() {
        print("\(rank + 1). \(label)  \(String(format: "%5.1f", probabilities[label] * 100))%")
    }
    var grid = ImageGrid(columns: 1, imageWidth: 28, imageHeight: 28, scale: 8)
    grid.add(grey: digit.pixels, caption: "model: \(ranked[0])")
    runOrExit { try grid.render().write(to: output) }
    print("Wrote \(output): the 28x28 digit the model saw, 8 times enlarged.")
}

@MainActor
func img() {
    let count = arguments.integer("--count", default: 32, minimum: 1, maximum: 1000)
    let output = arguments.string("--output", default: "mnist.png")
    let directory = arguments.dataDirectory()
    arguments.finish()
    checkOutputs([output])
    let trainSet = runOrExit { try MNIST(split: .train, directory: directory) }
    var grid = ImageGrid(columns: 8, imageWidth: 28, imageHeight: 28, scale: 3)
    for index in 0..<Swift.min(count, trainSet.count) {
        grid.add(grey: trainSet.image(index), caption: "\(trainSet.labels[index])")
    }
    runOrExit { try grid.render().write(to: output) }
    print("Wrote \(output): the first \(grid.count) training images with their labels.")
}
