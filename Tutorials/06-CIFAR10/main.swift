// Tutorial 06: colour images and LeNet-5, on CIFAR-10.
//
// MNIST's digits are grey, centred and alike; CIFAR-10's 32x32 photographs of planes, cars,
// birds, cats, deer, dogs, frogs, horses, ships and trucks are colour, cluttered and varied. A
// colour image has three channels, so the first convolution's filters are 3 x kh x kw: each
// filter looks at red, green and blue together. The network is LeNet-5-style (after LeCun et al.,
// 1998, with ReLU and max pooling), as the source material builds it; with the defaults (2 epochs,
// batch 4) the source material reports about 54%, far from MNIST's 99%, which is the lesson: the
// same machinery, a much harder problem.
//
// Run it with:   swift run -c release tutorial06 [--epochs N] [--batch-size N] [--seed N] [--data DIR]
// It reads the binary version of CIFAR-10 from DIR/cifar-10-batches-bin/, and downloads it there
// (162 MB, checked) on the first run; offline, it shows the network and says how to get the data.

import Foundation
import Kindling
import ProgramSupport

var arguments = CommandLineArguments(
    usage: """
        usage: tutorial06 [--epochs N] [--batch-size N] [--seed N] [--data DIR]
          --epochs N       passes over the 50,000 training images (default 2, as the source material)
          --batch-size N   images per step (default 4, as the source material)
          --seed N         seed of the weights and the shuffling (default 1)
          --data DIR       data directory holding cifar-10-batches-bin/ (default: $KINDLING_DATA or ./data)
        """)
let epochs = arguments.integer("--epochs", default: 2, minimum: 1, maximum: 100_000)
let batchSize = arguments.integer("--batch-size", default: 4, minimum: 1, maximum: 1 << 20)
let seed = UInt64(arguments.integer("--seed", default: 1))
let dataDirectory = arguments.dataDirectory()
arguments.finish()

print(
    """
    Tutorial 06: LeNet-5 on CIFAR-10
    ================================

    """)

// MARK: - 1. The network
//
// Two 5x5 convolutions (6 then 16 filters), each followed by ReLU and 2x2 max pooling, then three
// Linear layers 400 -> 120 -> 84 -> 10. Follow the shapes of a batch of four colour images:

manualSeed(seed)
let model = LeNet()
print(model)
withNoGrad {
    var h = Tensor.randn([4, 3, 32, 32])
    print("  input                             \(h.shapeText)   4 images, 3 colour channels, 32x32")
    h = model.pool(model.conv1(h).relu())
    print("  conv1 (3 -> 6, 5x5), relu, pool   \(h.shapeText)   (32 - 5 + 1 = 28, pooled to 14)")
    h = model.pool(model.conv2(h).relu())
    print("  conv2 (6 -> 16, 5x5), relu, pool  \(h.shapeText)   (14 - 5 + 1 = 10, pooled to 5)")
    h = h.flattened(startDim: 1)
    print("  flatten                           \(h.shapeText)")
    h = model.fc3(model.fc2(model.fc1(h).relu()).relu())
    print("  fc1, fc2, fc3                     \(h.shapeText)   one score per class")
}
print(
    "\(model.parameterCount) parameters; conv1's filters are \(model.conv1.weight.shapeText): each sees all three colours.\n"
)

// MARK: - 2. The data
//
// The binary version holds 3,073-byte records: a label byte, then 1,024 red, 1,024 green and
// 1,024 blue bytes. The reader (Sources/Datasets/CIFAR10.swift) keeps them as bytes; the
// DataLoader scales them to 0...1 and normalises each channel to -1...1.

let data: (train: CIFAR10, test: CIFAR10)
do {
    // The first run downloads the archive (162 MB), checks its MD5 against the one the authors
    // publish, and unpacks the six batch files into DIR/cifar-10-batches-bin/ (Sources/Datasets/
    // CIFAR10.swift, with the tar reader in Sources/Compression/TarArchive.swift).
    data = (try CIFAR10(split: .train, directory: dataDirectory), try CIFAR10(split: .test, directory: dataDirectory))
} catch {
    print(
        """
        \(error)

        With the data present, this tutorial trains the network above for \(epochs) epochs with SGD
        (learning rate 0.001, momentum 0.9, batch \(batchSize)) on the 50,000 training images, then
        reports accuracy on the 10,000 test images, overall (the source material reports about 54% with
        the defaults, 2 epochs of batch 4; chance is 10%) and for each class.
        """)
    exit(1)
}

let normalization = Normalize(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
let trainLoader = DataLoader(data.train, batchSize: batchSize, shuffle: true, seed: seed, normalize: normalization)
let testLoader = DataLoader(data.test, batchSize: 1000, normalize: normalization)
print(
    "CIFAR-10: \(data.train.count) training and \(data.test.count) test images; classes \(data.train.classNames.joined(separator: ", ")).\n"
)

// MARK: - 3. Training with SGD and momentum
//
// Momentum (0.9) keeps a running direction: each step moves along v = 0.9 v + g instead of the
// gradient g alone, so steps that agree add up and steps that disagree cancel (the formula is in
// Sources/Optimizers/SGD.swift; exercise 4.2 writes it). Batch 4 means 12,500 small steps per epoch: each step is cheap, and the noise of tiny batches
// helps as much as it hurts at this stage. Every 2,000 steps a line shows the loss of that one
// batch of 4 (noisy); in a terminal a progress bar replaces these lines. The epoch line gives the
// average.

let optimizer = SGD(parameters: model.parameters(), learningRate: 1e-3, momentum: 0.9)
var run = TrainingRun(modelName: "lenet", epochs: epochs)
run.logInterval = 2000
run.progress = ProgressBar.ifTerminal()
run.onEpochEnd = { summary in
    print("Average training loss of epoch \(summary.epoch): \(String(format: "%.3f", summary.training.averageLoss))")
}
_ = runOrExit { try run.train(model: model, optimizer: optimizer, trainLoader: trainLoader, testLoader: testLoader) }

// MARK: - 4. How well, and on what

let result = predictions(model, on: testLoader)
var matrix = ConfusionMatrix(classNames: data.test.classNames)
matrix.add(predictions: result.predicted, labels: result.labels)
print("\nConfusion matrix (rows: true class, columns: predicted):\n\(matrix)\n")
// The most frequent mistake: for real CIFAR-10 usually cat and dog, or deer and horse, similar
// shapes and colours at 32 pixels wide.
var worst = (truth: 0, predicted: 1, count: -1)
for truth in 0..<10 {
    for predicted in 0..<10 where predicted != truth && matrix.counts[truth][predicted] > worst.count {
        worst = (truth, predicted, matrix.counts[truth][predicted])
    }
}
print(
    "The most frequent mistake here: \(worst.count) \(data.test.classNames[worst.truth]) images taken for \(data.test.classNames[worst.predicted]).\n"
)
let finalScore = evaluate(model, on: testLoader)
let gap = finalScore.accuracy * 100 - 54
print(
    "The source material reports about 54% after 2 epochs of batch 4; this run: "
        + "\(String(format: "%.1f", finalScore.accuracy * 100))% after \(epochs) epoch(s) of batch \(batchSize)"
        + (abs(gap) < 3
            ? ", the same within the spread of random starts.\n" : " (\(String(format: "%+.1f", gap)) points).\n"))
print("Test set: \(finalScore)")
