// cifar10: train and test LeNet-5 on CIFAR-10 (32x32 colour images, ten classes).
//
//   swift run -c release cifar10 train --epochs 2 --save lenet.safetensors
//   swift run -c release cifar10 test --weights lenet.safetensors
//
// CIFAR-10's binary version is read from DIR/cifar-10-batches-bin/, downloaded (162 MB, MD5
// checked) and unpacked there when missing; offline, the program says where to get it.

import Foundation
import Kindling
import ProgramSupport

let usage = """
    usage: cifar10 <command> [options]

    commands:
      train   train LeNet-5 and report test accuracy, overall and per class
      test    evaluate saved weights on the 10,000 test images

    train options:
      --epochs N         passes over the 50,000 training images (default 2, as the source material)
      --batch-size N     images per step (default 4)
      --lr X             SGD learning rate (default 0.001)
      --momentum X       SGD momentum (default 0.9)
      --seed N           seed of the weights and the shuffling (default 1)
      --limit N          train on the first N images only
      --save FILE        save the trained weights as safetensors
      --log-interval N   batches between progress lines (default 2000)
      --plot FILE.svg    draw the training loss and test accuracy (updated after every epoch)
      --checkpoint DIR   save weights, optimiser and random state after every epoch
      --resume           continue from the last checkpoint in DIR (same seed and threads give
                         exactly the weights of an uninterrupted run)
      --dry-run          one batch per epoch, to check that everything runs
      --threads N        cores to use (default: all)
      --data DIR         data directory holding cifar-10-batches-bin/ (default: $KINDLING_DATA or ./data)

    test options:  --weights FILE [--data DIR]
    """

/// The source material's normalisation: every channel from 0...1 to -1...1.
let normalization = Normalize(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])

var arguments = CommandLineArguments(usage: usage)
guard let command = arguments.subcommand(), ["train", "test"].contains(command) else {
    printError("cifar10: which command? train or test (cifar10 --help lists the options)")
    exit(2)
}
if let threads = arguments.integer("--threads", minimum: 1, maximum: 1024) { Parallelism.threadCount = threads }

@MainActor
func report(_ model: Module, test: CIFAR10) {
    let loader = DataLoader(test, batchSize: 1000, normalize: normalization)
    print("\nTest set: \(evaluate(model, on: loader))\n")
    let result = predictions(model, on: loader)
    var matrix = ConfusionMatrix(classNames: test.classNames)
    matrix.add(predictions: result.predicted, labels: result.labels)
    for (index, name) in test.classNames.enumerated() {
        print(
            "Accuracy of \(name.padding(toLength: 10, withPad: " ", startingAt: 0)): \(String(format: "%5.1f", matrix.accuracy(ofClass: index) * 100))%"
        )
    }
}

if command == "train" {
    let epochs = arguments.integer("--epochs", default: 2, minimum: 1, maximum: 100_000)
    let batchSize = arguments.integer("--batch-size", default: 4, minimum: 1, maximum: 1 << 20)
    let learningRate = arguments.number("--lr", default: 1e-3, minimum: 0)
    let momentum = arguments.number("--momentum", default: 0.9, minimum: 0)
    let seed = UInt64(arguments.integer("--seed", default: 1))
    let limit = arguments.integer("--limit", minimum: 1)
    let savePath = arguments.string("--save")
    let logInterval = arguments.integer("--log-interval", default: 2000, minimum: 1)
    let plotPath = arguments.string("--plot")
    let checkpoint = arguments.string("--checkpoint")
    let resume = arguments.flag("--resume")
    let dryRun = arguments.flag("--dry-run")
    let directory = arguments.dataDirectory()
    arguments.finish()
    if resume && checkpoint == nil {
        printError("cifar10: --resume needs --checkpoint DIR (the directory the interrupted run saved to)")
        exit(2)
    }
    let (train, test) = runOrExit {
        (try CIFAR10(split: .train, directory: directory), try CIFAR10(split: .test, directory: directory))
    }
    manualSeed(seed)
    let model = LeNet()
    print(model)
    let optimizer = SGD(parameters: model.parameters(), learningRate: learningRate, momentum: momentum)
    let loader = DataLoader(
        train, batchSize: batchSize, shuffle: true, seed: seed, limit: limit, normalize: normalization)
    print(
        "Training LeNet-5 on \(loader.sampleCount) images: \(epochs) epochs, batch \(batchSize), SGD lr \(learningRate) momentum \(momentum)"
    )
    var run = TrainingRun(modelName: "lenet", epochs: epochs, checkpointDirectory: checkpoint, resume: resume)
    run.logInterval = logInterval
    run.dryRun = dryRun
    run.plotPath = plotPath
    run.progress = ProgressBar.ifTerminal()
    let outcome = runOrExit {
        try run.train(
            model: model, optimizer: optimizer, trainLoader: loader,
            testLoader: DataLoader(test, batchSize: 1000, normalize: normalization))
    }
    if outcome.diverged { exit(1) }
    if let plotPath { print("Wrote \(plotPath): training loss per logged step and test accuracy per epoch.") }
    report(model, test: test)
    if let savePath {
        runOrExit {
            try model.save(to: savePath, metadata: ["model": "lenet", "epochs": "\(outcome.epochsCompleted)"])
        }
        print("Saved the weights to \(savePath)")
    }
} else {
    let weights = arguments.string("--weights")
    let directory = arguments.dataDirectory()
    arguments.finish()
    guard let weights else {
        printError(
            "cifar10: --weights FILE.safetensors is required; make one with: cifar10 train --save FILE.safetensors")
        exit(2)
    }
    let model = LeNet()
    runOrExit { try model.load(from: weights) }
    let test = runOrExit { try CIFAR10(split: .test, directory: directory) }
    report(model, test: test)
}
