// Tutorial 03: the same softmax regression, with the gradient found by autograd.
//
// In tutorial 02 we derived dL/dW on paper. That does not scale: every new layer would need its
// own derivation, and one slip gives a model that quietly learns less. Reverse-mode automatic
// differentiation ("autograd") does the bookkeeping instead: every operation records how to
// pass a gradient back through itself, and `backward()` applies the chain rule through the whole
// recorded graph. Here we rebuild the 784 -> 10 classifier with a `Linear` layer, look at the
// graph autograd records, check that its gradient is exactly the one we derived, and train it
// with Adam.
//
// Run it with:   swift run -c release tutorial03 [--epochs N] [--lr X] [--batch-size N] [--seed N] [--data DIR]
//
// A tensor is Kindling's n-dimensional array (`Tensor`: a shape and the values, row-major), the
// Matrix of tutorials 01-02 with any number of dimensions, and able to record how it was computed.

import ExerciseSupport
import Foundation
import Kindling
import ProgramSupport

var arguments = CommandLineArguments(
    usage: """
        usage: tutorial03 [--epochs N] [--lr X] [--batch-size N] [--seed N] [--data DIR]
          --epochs N       passes over the training set (default 100, as the source material)
          --lr X           Adam's learning rate (default 0.001)
          --batch-size N   images per step (default 600)
          --seed N         seed of the weights and the shuffling (default 1)
          --data DIR       data directory holding mnist/ (default: $KINDLING_DATA or ./data)
        """)
let epochs = arguments.integer("--epochs", default: 100, minimum: 1, maximum: 100_000)
let learningRate = arguments.number("--lr", default: 1e-3, minimum: 0)
let batchSize = arguments.integer("--batch-size", default: 600, minimum: 1, maximum: 1 << 20)
let seed = UInt64(arguments.integer("--seed", default: 1))
let dataDirectory = arguments.dataDirectory()
arguments.finish()

print(
    """
    Tutorial 03: autograd
    =====================

    """)

let (train, test) = runOrExit {
    (try MNIST(split: .train, directory: dataDirectory), try MNIST(split: .test, directory: dataDirectory))
}
print("MNIST: \(train.count) training and \(test.count) test images.\n")

// MARK: - 1. The model as a Module
//
// A `Module` holds `Parameter`s (tensors that require a gradient) and says how to compute its
// output. The library's `SoftmaxClassifier` is the whole model: one `Linear(784, 10)` layer,
// applied to each image flattened to 784 pixels. Linear stores W as [10, 784] and b as [10],
// PyTorch's layout, and computes x W^T + b: the same z = xW + b as tutorial 02 with W stored
// transposed. This prints its definition from the library's source:

SourceListing.show("final class SoftmaxClassifier", in: "Sources/Models/SoftmaxClassifier.swift")
print("")

manualSeed(seed)
let model = SoftmaxClassifier()
print(model)
for (name, parameter) in model.namedParameters() {
    print("  \(name): shape \(parameter.shapeText), requiresGrad \(parameter.requiresGrad)")
}
print("")

// MARK: - 2. The graph autograd records
//
// Every operation on a tensor that requires a gradient returns a tensor with a `gradFn`: the node
// that knows the operation, its inputs, and how to send a gradient back to them. The loss is the
// end of a chain; walking `gradFn` -> `nextFunctions` retraces the forward pass backwards.

let probe = DataLoader(train, batchSize: 8).makeBatch(Array(0..<8))
let logits = model(probe.images)
let loss = crossEntropy(logits, labels: probe.labels)
print("loss = \(loss)")
print("The recorded graph, from the loss back to the parameters:")

let parameterNames = Dictionary(
    uniqueKeysWithValues: model.namedParameters().map { (ObjectIdentifier($0.parameter), $0.name) })

func printGraph(_ node: GradFn?, depth: Int, names: [ObjectIdentifier: String]) {
    guard let node else {
        print(String(repeating: "    ", count: depth) + "None  (an input that needs no gradient: the images)")
        return
    }
    var line = String(repeating: "    ", count: depth) + node.name
    if let variable = node.variable {
        let name = names[ObjectIdentifier(variable)] ?? "a leaf"
        line += "  -> \(name).grad, shape \(variable.shapeText)"
    }
    print(line)
    for next in node.nextFunctions { printGraph(next.function, depth: depth + 1, names: names) }
}
printGraph(loss.gradFn, depth: 1, names: parameterNames)
print(
    """

    Read from the top: the loss is an NLL loss (NllLossBackward0: the negative log-likelihood,
    -log p_y averaged over the batch) of a log-softmax (LogSoftmaxBackward0: log p, computed
    without forming p) of the scores b + x W^T (AddmmBackward0: "add matrix-multiply"), whose inputs are, in
    order, the bias, the images (no gradient needed) and W^T, the weight transposed
    (TBackward0). AccumulateGrad is where a parameter's gradient is added into its .grad.
    This is, node for node and in the same order, the chain PyTorch prints for the same model
    (loss.grad_fn.next_functions[0][0] is the LogSoftmaxBackward0 node); `swift test`
    compares it with one recorded from PyTorch.

    """)

// The same graph as a picture: autograd-graph.svg (written after backward() below, so it shows
// each parameter's gradient too) opens in any browser; autograd-graph.dot is Graphviz's format,
// for those who have it (`dot -Tsvg autograd-graph.dot`).
let graphNames = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.parameter as Tensor) })
let dotPath = "autograd-graph.dot"
runOrExit { try FileWriting.write(loss.graphviz(names: graphNames), to: dotPath) }
print("Wrote \(dotPath) (Graphviz's format; the same graph is drawn as SVG after backward() below).\n")

// MARK: - 3. What backward() does, node by node
//
// backward() (Sources/Autograd/Backward.swift, about sixty lines) does three things:
//   1. It lists the graph's nodes in topological order: a depth-first walk from the loss, each
//      node placed after every node it was computed from (`topologicalOrder()`).
//   2. It visits them in reverse, from the loss back, holding for each node the gradient sent to
//      it so far. Reverse topological order guarantees that when a node runs, every use of its
//      output has already sent its share: the received gradient is complete.
//   3. At each node it calls the node's backward closure, written beside the operation's forward
//      (AddmmBackward0's in Tensor+Matmul.swift, LogSoftmaxBackward0's in Tensor+Softmax.swift...),
//      which turns the received gradient into one gradient per input: the chain rule, one link.
//      A gradient for a computed tensor is added to what its node will receive; one for a leaf
//      goes to AccumulateGrad, which adds it into `.grad`.
// Watch it run on the graph printed above, with the size (L2 norm) of each gradient:

func norm(_ values: [Float]) -> String {
    String(format: "%.4f", sqrt(values.reduce(0) { $0 + Double($1) * Double($1) }))
}
var stepNumber = 0
loss.backward(trace: { step in
    stepNumber += 1
    print(
        "  step \(stepNumber): \(step.node.name) receives a gradient of \(step.received.count) value(s), norm \(norm(step.received))"
    )
    for sent in step.sent {
        print(
            "           sends to input \(sent.input) (\(sent.to)): \(sent.gradient.count) values, norm \(norm(sent.gradient))"
        )
    }
})
print(
    """
      The loss's own gradient is 1 (d loss / d loss). NllLossBackward0 puts -1/n at each image's true
      class; LogSoftmaxBackward0 turns that into (softmax - onehot) / n; AddmmBackward0 splits it into
      the bias's gradient (column sums), nothing for the images (they need none), and W^T's gradient,
      which TBackward0 transposes into W's. Every later network, however deep, is this walk.

    """)
runOrExit { try FileWriting.write(loss.graphSVG(names: graphNames), to: "autograd-graph.svg") }
print(
    "Wrote autograd-graph.svg: the graph, inputs on the left, with each parameter's gradient norm (open it in a browser).\n"
)

// MARK: - 4. Autograd's gradient is the one we derived by hand
//
// Tutorial 02 derived the same gradient on paper: dZ = (softmax(Z) - onehot(y)) / n,
// dW = X^T dZ, db = column sums of dZ. Compute both and compare, entry by entry.

let x = probe.inputs  // [8, 784]
let z = x.matmul(model.fc.weight.matrix, transposeOther: true) + Matrix(row: model.fc.bias!.data)
let dZ = (z.softmax(dim: 1) - oneHot(probe.labels, classes: 10)) / Float(probe.count)
let handWeightGradient = x.matmul(dZ, transposeSelf: true).transposed()  // [10, 784], Linear's layout
let handBiasGradient = dZ.sum(dim: 0)
let weightDifference = zip(model.fc.weight.grad!.data, handWeightGradient.storage).map { abs($0 - $1) }.max()!
let biasDifference = zip(model.fc.bias!.grad!.data, handBiasGradient.storage).map { abs($0 - $1) }.max()!
print("Largest difference, autograd vs hand-derived: dW \(weightDifference), db \(biasDifference)")
print(
    weightDifference < 1e-6 && biasDifference < 1e-6
        ? "They agree: autograd found (softmax - onehot) / n without being told.\n"
        : "They DISAGREE: something is wrong.\n")
model.zeroGrad()

// MARK: - 5. Training with Adam
//
// The training step is now the same four lines for any model, however deep:
//     optimizer.zeroGrad()      gradients accumulate, so clear last step's
//     loss = ...                forward pass, recording the graph
//     loss.backward()           chain rule, filling every parameter's .grad
//     optimizer.step()          update the parameters
// `trainEpoch` (Sources/Training/TrainEpoch.swift) runs exactly these four lines for every batch
// of an epoch, and `TrainingRun` (Sources/Training/TrainingRun.swift) runs the epochs, testing
// the model after them; every later tutorial and the `mnist` program train through the same two.
// Adam keeps a running mean of each parameter's gradient and of its square, and scales each step
// by them, so it needs far less tuning of the learning rate than plain SGD.

let optimizer = Adam(parameters: model.parameters(), learningRate: learningRate)
let trainLoader = DataLoader(train, batchSize: batchSize, shuffle: true, seed: seed)
let testLoader = DataLoader(test, batchSize: 1000)
print("Training: \(epochs) epochs of \(trainLoader.count) steps, batch \(batchSize), Adam lr \(learningRate)")
var curve: [(x: Double, y: Double)] = []
var accuracies: [(epoch: Int, accuracy: Double)] = []
var run = TrainingRun(modelName: "linear", epochs: epochs)
run.printsEpochs = false
run.evaluationInterval = 10
run.progress = SilentProgress()
run.onEpochEnd = { summary in
    curve.append((Double(summary.epoch), summary.training.averageLoss))
    if let score = summary.score {
        accuracies.append((summary.epoch, score.accuracy))
        print(
            "Epoch \(summary.epoch): train loss \(String(format: "%.4f", summary.training.averageLoss)), "
                + "test accuracy \(String(format: "%.2f", score.accuracy * 100))%")
    }
}
let watch = Stopwatch()
let outcome = runOrExit {
    try run.train(model: model, optimizer: optimizer, trainLoader: trainLoader, testLoader: testLoader)
}
print("Trained in \(String(format: "%.1f", watch.seconds)) s.")
var chart = LineChart(title: "Softmax regression with autograd and Adam", xLabel: "epoch", yLabel: "mean training loss")
chart.add("cross-entropy", points: curve)
runOrExit { try FileWriting.write(LineChart.svg([chart]), to: "tutorial03-loss.svg") }
print("Wrote tutorial03-loss.svg: the training loss per epoch.\n")

// What the long run bought, from this run's own numbers: how much of the remaining error the last
// epochs removed, and how much time they took, so the reader can judge the source's 100 epochs.
if let early = accuracies.first(where: { $0.epoch >= 10 }), let last = accuracies.last, last.epoch > early.epoch {
    print(
        """
        Test accuracy after epoch \(early.epoch): \(String(format: "%.2f", early.accuracy * 100))%; after epoch \(last.epoch): \
        \(String(format: "%.2f", last.accuracy * 100))%. The last \(last.epoch - early.epoch) epochs added \
        \(String(format: "%+.2f", (last.accuracy - early.accuracy) * 100)) points, \
        \(String(format: "%.0f", 100 * (last.accuracy - early.accuracy) / Swift.max(1 - early.accuracy, 1e-9)))% of the \
        errors left after epoch \(early.epoch), with \(Int(100 * Double(last.epoch - early.epoch) / Double(last.epoch)))% of \
        the training time. \((last.accuracy - early.accuracy) * 100 < 1.5
            ? "Far fewer epochs give nearly all of it: a linear model is near its limit, and more capacity, not more epochs, is what tutorial 04 adds."
            : "The long run is worth it here.")

        """)
}

// The learned weights as ten 28x28 templates, as in tutorial 02 (Linear stores W as [10, 784]:
// row j is digit j's template).
var templates = ImageGrid(columns: 10, imageWidth: 28, imageHeight: 28, scale: 3)
let weights = model.fc.weight.data
for digit in 0..<10 {
    let row = Array(weights[digit * 784..<(digit + 1) * 784])
    let largest = max(row.map(abs).max() ?? 1, 1e-6)
    templates.add(grey: row.map { 0.5 + 0.5 * $0 / largest }, caption: "\(digit)")
}
runOrExit { try templates.render().write(to: "tutorial03-templates.png") }
print("Wrote tutorial03-templates.png: the ten learned templates (white votes for the digit, black against).\n")

// MARK: - 6. The score
//
// Before it, the exercises of this step: the backward of four operations, the topological
// order and backward() itself (Tutorials/Exercises/3.1 to 3.6, graded by `exercise check`).

print(ExerciseCatalogue.announcement(tutorial: 3))
print("Test set: \(outcome.score)")
