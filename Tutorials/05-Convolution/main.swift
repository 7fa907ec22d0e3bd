// Tutorial 05: convolution and pooling, and the two-convolution networks.
//
// A Linear layer connects every pixel to every unit: it does not know that pixel (3, 4) is next to
// pixel (3, 5), and what it learns about a stroke in one place it must learn again one pixel over.
// A convolution slides one small filter over the whole image: the same few weights look for the
// same pattern everywhere. Stacking convolutions with pooling builds features of features (edges,
// then strokes, then parts of digits): about 98% on MNIST after one epoch, 99% after five.
//
// Run it with:   swift run -c release tutorial05 [--epochs N] [--cnn-epochs N] [--seed N] [--data DIR]
//
// A word used two ways: tutorial 01's "kernel" was a GEMM implementation; here a kernel is a
// convolution's small grid of weights (also called a filter).

import ExerciseSupport
import Foundation
import Kindling
import ProgramSupport

var arguments = CommandLineArguments(
    usage: """
        usage: tutorial05 [--epochs N] [--cnn-epochs N] [--seed N] [--data DIR]
          --epochs N       epochs of convnet with Adam, batch 200 (default 1; the source material runs 5)
          --cnn-epochs N   epochs of the padded `cnn`, Adam, batch 64 (default 1; the source runs 10; 0 skips it)
          --seed N         seed of the weights and the shuffling (default 1)
          --data DIR       data directory holding mnist/ (default: $KINDLING_DATA or ./data)
        """)
let epochs = arguments.integer("--epochs", default: 1, minimum: 1, maximum: 100_000)
let cnnEpochs = arguments.integer("--cnn-epochs", default: 1, minimum: 0, maximum: 100_000)
let seed = UInt64(arguments.integer("--seed", default: 1))
let dataDirectory = arguments.dataDirectory()
arguments.finish()

print(
    """
    Tutorial 05: convolution and pooling
    ====================================

    """)

let (train, test) = runOrExit {
    (try MNIST(split: .train, directory: dataDirectory), try MNIST(split: .test, directory: dataDirectory))
}

// MARK: - 1. What a 3x3 kernel does to a digit
//
// A convolution computes, at every position, the sum of the 3x3 window times the kernel's nine
// weights. Choose the weights by hand and you choose what it responds to: [-1, 0, 1] across
// responds where ink starts or stops left to right (a vertical edge), the same turned on its side
// to horizontal edges, all ninths to nothing in particular (it blurs).

let digit = Tensor(shape: [1, 1, 28, 28], data: train.image(0))
let kernels: [(String, [Float])] = [
    ("vertical edges", [-1, 0, 1, -1, 0, 1, -1, 0, 1]),
    ("horizontal edges", [-1, -1, -1, 0, 0, 0, 1, 1, 1]),
    ("blur", [Float](repeating: 1.0 / 9, count: 9)),
]
var pictures = [train.image(0)]
var captions = ["digit \(train.labels[0])"]
for (name, weights) in kernels {
    let response = conv2d(digit, weight: Tensor(shape: [1, 1, 3, 3], data: weights), bias: nil, padding: (1, 1))
    // Show the strength of the response, whatever its sign, scaled to 0...1.
    let strength = response.data.map { abs($0) }
    let largest = max(strength.max() ?? 1, 1e-6)
    pictures.append(strength.map { $0 / largest })
    captions.append(name)
}
print("A training digit and what three hand-made 3x3 kernels see in it (padding 1 keeps 28x28):")
print(TerminalArt.render(pictures, width: 28, height: 28, captions: captions))
print(
    """

    Each output pixel is one dot product of a 3x3 window with the kernel. A network learns its
    kernels instead: tens of them per layer, whatever patterns help it tell digits apart.

    """)

// MARK: - 2. One convolution layer, then a Linear layer
//
// Conv2d(1 -> 8, 3x3) learns 8 kernels (8 * 9 weights + 8 biases = 80 parameters) and turns
// each 28x28 image into 8 maps of 26x26 (no padding: a 3x3 window fits 26 times across 28).
// A Linear layer then reads all 8 * 26 * 26 = 5408 values.

final class OneConvolution: Module {
    let conv = Conv2d(inputChannels: 1, outputChannels: 8, kernelSize: 3)
    let fc = Linear(inputFeatures: 8 * 26 * 26, outputFeatures: 10)

    override func forward(_ x: Tensor) -> Tensor {
        fc(conv(x).relu().flattened(startDim: 1))
    }
}

var accuracyCurves: [(String, [(x: Double, y: Double)])] = []
var lossCurves: [(String, [(x: Double, y: Double)])] = []

/// Shows progress as the programs do (a bar in a terminal, lines otherwise) and keeps the loss of
/// every logged step, at its position in epochs (1.5 = halfway through epoch 2), so that even one
/// epoch draws a curve.
final class RecordingProgress: TrainingProgress {
    let shown: TrainingProgress
    var points: [(x: Double, y: Double)] = []

    init(shown: TrainingProgress) { self.shown = shown }

    func step(_ report: StepReport) {
        shown.step(report)
        if report.isLogged {
            points.append(
                (Double(report.epoch - 1) + Double(report.batch) / Double(report.batchesInEpoch), report.loss))
        }
    }

    func finish() { shown.finish() }
}

/// Trains `model` for `epochs` with the library's `TrainingRun` (the loop of tutorial 03), testing
/// after every epoch and keeping the accuracy curve for the chart.
@MainActor
func fit(_ model: Module, optimizer: Optimizer, batchSize: Int, normalize: Normalize, epochs: Int)
    -> (score: ClassificationScore, seconds: Double)
{
    var seconds = 0.0
    let loader = DataLoader(train, batchSize: batchSize, shuffle: true, seed: seed, normalize: normalize)
    let testLoader = DataLoader(test, batchSize: 1000, normalize: normalize)
    var curve: [(x: Double, y: Double)] = []
    var run = TrainingRun(modelName: "\(type(of: model))", epochs: epochs)
    run.logInterval = 100
    run.printsEpochs = false
    let recording = RecordingProgress(shown: ProgressBar.ifTerminal() ?? ProgressLines())
    run.progress = recording
    run.onEpochEnd = { summary in
        seconds += summary.training.seconds
        guard let score = summary.score else { return }
        curve.append((Double(summary.epoch), score.accuracy * 100))
        print(
            "Epoch \(summary.epoch) done in \(String(format: "%.1f", summary.training.seconds)) s "
                + "(\(Int(summary.training.imagesPerSecond)) images/s); test accuracy \(String(format: "%.2f", score.accuracy * 100))%"
        )
    }
    let outcome = runOrExit {
        try run.train(model: model, optimizer: optimizer, trainLoader: loader, testLoader: testLoader)
    }
    accuracyCurves.append(("\(type(of: model))", curve))
    lossCurves.append(("\(type(of: model))", recording.points))
    return (outcome.score, seconds)
}

manualSeed(seed)
let oneConvolution = OneConvolution()
print(oneConvolution)
print("\(oneConvolution.parameterCount) parameters, of which \(oneConvolution.conv.parameterCount) in the convolution.")
print(
    "Training it for one epoch (Adam, batch 200, pixels normalised with mean 0.5 and std 0.5, i.e. mapped from 0...1 to -1...1):"
)
let (oneConvolutionScore, _) = fit(
    oneConvolution, optimizer: Adam(parameters: oneConvolution.parameters()), batchSize: 200,
    normalize: Normalize(mean: [0.5], std: [0.5]), epochs: 1)
print(
    """
    One convolution of \(oneConvolution.conv.outputChannels) filters and a Linear layer: \
    \(String(format: "%.2f", oneConvolutionScore.accuracy * 100))% after one epoch. No pooling and no hidden \
    layer yet: the Linear layer still reads every position on its own. Pooling and a second convolution (next) \
    build on what the filters find.

    """)

// MARK: - 3. Pooling and a second convolution: the source material's convnet
//
// MaxPool2d(2) keeps the largest of each 2x2 block: half the height and width, a quarter of the
// values, and a little tolerance to small shifts. A second convolution on the pooled maps looks
// at 3x3 windows of *features*: a larger patch of the image, with more filters (48) to describe
// it. The network is the library's `MNISTConvNet`, the model `mnist train --model convnet` trains;
// its definition, printed from the source, is the whole forward pass:

SourceListing.show("final class MNISTConvNet", in: "Sources/Models/MNISTConvNet.swift")
print("\nFollow the shapes of one batch of 200 through it:")

manualSeed(seed)
let convnet = MNISTConvNet()
print(convnet)
let probeBatch = DataLoader(train, batchSize: 200, normalize: Normalize(mean: [0.5], std: [0.5])).makeBatch(
    Array(0..<200))
withNoGrad {
    var h = probeBatch.images
    print("  input                      \(h.shapeText)")
    h = convnet.conv1(h).relu()
    print("  conv1 (1 -> 24, 3x3), relu \(h.shapeText)")
    h = convnet.pool(h)
    print("  pool 2x2                   \(h.shapeText)")
    h = convnet.conv2(h).relu()
    print("  conv2 (24 -> 48, 3x3), relu \(h.shapeText)")
    h = convnet.pool(h)
    print("  pool 2x2                   \(h.shapeText)  (11 / 2 rounds down: the last row and column are dropped)")
    h = h.flattened(startDim: 1)
    print("  flatten                    \(h.shapeText)")
    h = convnet.fc1(h).relu()
    print("  fc1, relu                  \(h.shapeText)")
    h = convnet.fc2(h).logSoftmax(dim: 1)
    print("  fc2, log-softmax           \(h.shapeText)")
}
// How the arithmetic divides: FLOPCount counts every product and convolution of one image's pass.
let convolutionFLOPs = FLOPCount.measure {
    withNoGrad {
        _ = maxPool2d(convnet.conv2(maxPool2d(convnet.conv1(digit).relu(), kernelSize: (2, 2))), kernelSize: (2, 2))
    }
}.forward
let allFLOPs = FLOPCount.measure { withNoGrad { _ = convnet(digit) } }.forward
print(
    """

    \(convnet.parameterCount) parameters in all; the two convolutions hold only \
    \(convnet.conv1.parameterCount + convnet.conv2.parameterCount) of them, yet do \
    \(String(format: "%.0f", 100 * convolutionFLOPs / allFLOPs))% of the arithmetic: \
    \(String(format: "%.1f", convolutionFLOPs / 1e6)) of the \(String(format: "%.1f", allFLOPs / 1e6)) million FLOPs of one image's forward pass, \
    because each filter is applied at every position.
    Its output is log-probabilities (log-softmax), trained with the negative log-likelihood.

    """)

// MARK: - 4. Training convnet
//
// Adam with its default learning rate, batch 200, as the source material. The line after the epoch
// gives its time on your machine; the source's 5 epochs (--epochs 5) reach about 99.0%.

print("Training convnet: \(epochs) epoch(s), Adam lr 0.001, batch 200")
let (convnetScore, convnetSeconds) = fit(
    convnet, optimizer: Adam(parameters: convnet.parameters()), batchSize: 200,
    normalize: Normalize(mean: [0.5], std: [0.5]), epochs: epochs)
print("")

// MARK: - 5. What the first layer learned
//
// conv1's 24 filters are 3x3 images. Each is drawn on its own scale (grey = 0, white its most
// positive weight, black its most negative), so its pattern shows even where its weights are
// small. The feature maps show what each filter responds to in one digit. Both pictures are of
// this run's weights, and the sentences printed below are measured on them.

let filterValues = convnet.conv1.weight.data
var filterGrid = ImageGrid(columns: 8, imageWidth: 3, imageHeight: 3, scale: 16)
for filter in 0..<24 {
    let weights = Array(filterValues[filter * 9..<filter * 9 + 9])
    let largest = max(weights.map(abs).max() ?? 1, 1e-6)
    filterGrid.add(grey: weights.map { 0.5 + 0.5 * $0 / largest }, caption: "\(filter)")
}
// How many filters have the shape of an edge detector: weights of both signs whose sum is small
// next to their size, so that they answer a change of brightness, not brightness itself.
let edgeLike = (0..<24).filter { filter in
    let weights = Array(filterValues[filter * 9..<filter * 9 + 9])
    let magnitude = weights.map(abs).reduce(0, +)
    return weights.contains { $0 > 0 } && weights.contains { $0 < 0 } && abs(weights.reduce(0, +)) < 0.5 * magnitude
}.count
let firstDigit = DataLoader(test, batchSize: 1, normalize: Normalize(mean: [0.5], std: [0.5])).makeBatch([0])
let maps = withNoGrad { convnet.conv1(firstDigit.images).relu() }.data
var mapGrid = ImageGrid(columns: 8, imageWidth: 26, imageHeight: 26, scale: 3)
// Where the digit has ink: the centre pixel of each 3x3 window (the normalised input above 0).
let input = firstDigit.images.data
let ink = (0..<676).map { index in input[(index / 26 + 1) * 28 + index % 26 + 1] > 0 }
var brighterOnBackground = 0
for filter in 0..<24 {
    let plane = Array(maps[filter * 676..<(filter + 1) * 676])
    let brightest = max(plane.max() ?? 1, 1e-6)
    mapGrid.add(grey: plane.map { $0 / brightest }, caption: "\(filter)")
    let onInk = zip(plane, ink).filter { $0.1 }.map(\.0), onPaper = zip(plane, ink).filter { !$0.1 }.map(\.0)
    if onPaper.reduce(0, +) / Float(max(onPaper.count, 1)) > onInk.reduce(0, +) / Float(max(onInk.count, 1)) {
        brighterOnBackground += 1
    }
}
runOrExit {
    try filterGrid.render().write(to: "tutorial05-filters.png")
    try mapGrid.render().write(to: "tutorial05-feature-maps.png")
}
print(
    """
    Wrote tutorial05-filters.png (conv1's 24 learned 3x3 filters, each on its own scale: white
    positive, black negative) and tutorial05-feature-maps.png (what each filter sees in the first
    test digit, a \(test.labels[0]), each map on its own scale).
    After \(epochs) epoch(s), \(edgeLike) of the 24 filters have the shape of an edge detector (weights of
    both signs that nearly cancel); the rest respond to brightness itself, or are still close to noise.
    \(brighterOnBackground) of the 24 maps are brighter on the paper than on the strokes: their filters
    answer the absence of ink, the others light up
    the strokes or their edges.

    """)

// MARK: - 6. The padded variant: cnn
//
// `cnn` pads each 3x3 convolution by 1 so the maps keep their size until each pooling
// (28 -> 14 -> 7), with 32 and 64 filters and a 3136 -> 128 -> 10 head. Padding keeps the map
// size and lets every pixel, border included, be the centre of a window (border pixels still fall
// in fewer windows than interior ones). The source material trains it with Adam 1e-3 at batch 64
// for 10 epochs (about 99.1%: --cnn-epochs 10, or `mnist train --model cnn`); by default it is
// trained for one epoch here, to compare with convnet's one epoch.

manualSeed(seed)
let cnn = CNN()
print(cnn)
print("\(cnn.parameterCount) parameters.")
var cnnResult: (score: ClassificationScore, seconds: Double)?
if cnnEpochs > 0 {
    print("Training cnn: \(cnnEpochs) epoch(s), Adam lr 0.001, batch 64")
    let result = fit(
        cnn, optimizer: Adam(parameters: cnn.parameters()), batchSize: 64, normalize: MNIST.normalization,
        epochs: cnnEpochs)
    cnnResult = result
    let difference = (result.score.accuracy - convnetScore.accuracy) * 100
    let (better, worse) = difference >= 0 ? ("cnn", "convnet") : ("convnet", "cnn")
    print(
        """

        cnn after \(cnnEpochs) epoch(s): \(String(format: "%.2f", result.score.accuracy * 100))% in \(String(format: "%.0f", result.seconds)) s \
        of training; convnet after \(epochs): \(String(format: "%.2f", convnetScore.accuracy * 100))% in \(String(format: "%.0f", convnetSeconds)) s.
        """
            + (cnnEpochs == epochs
                ? " With the same epochs, \(better) is \(String(format: "%.2f", abs(difference))) points ahead of \(worse):"
                    + " cnn has \(cnn.parameterCount / 1000)k parameters to convnet's \(convnet.parameterCount / 1000)k,"
                    + " centres windows on the border pixels too, reads inputs normalised with MNIST's mean and std,"
                    + " and takes \(60_000 / 64 + 1) smaller steps an epoch where convnet takes \(60_000 / 200)."
                : ""))
}
print("")

var lossChart = LineChart(title: "Training loss every 100 batches", xLabel: "epoch", yLabel: "cross-entropy")
for (name, curve) in lossCurves { lossChart.add(name, points: curve) }
var chart = LineChart(title: "Test accuracy after each epoch", xLabel: "epoch", yLabel: "accuracy (%)")
for (name, curve) in accuracyCurves { chart.add(name, points: curve) }
runOrExit { try FileWriting.write(LineChart.svg([lossChart, chart]), to: "tutorial05-accuracy.svg") }
print(
    "Wrote tutorial05-accuracy.svg: each model's training loss every 100 batches (a curve even for one epoch)\n"
        + "and its test accuracy after each epoch.\n")
// The exercises of this step: Conv2d forward and both its gradients, MaxPool2d forward and
// backward (Tutorials/Exercises/5.1 to 5.5, graded by `exercise check`).
print(ExerciseCatalogue.announcement(tutorial: 5))
if let cnnResult { print("cnn after \(cnnEpochs) epoch(s): Test set: \(cnnResult.score)") }
print("convnet after \(epochs) epoch(s):")
print("Test set: \(convnetScore)")
