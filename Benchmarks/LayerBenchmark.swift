import Foundation
import Kindling
import ProgramSupport

/// Milliseconds per batch of each layer of `pytorch-example` and `convnet`, forward and backward,
/// on random data: where a training step's time goes.
///
/// A ReLU followed by max pooling is timed as one: the pooling computes the ReLU's values from its
/// input (`DeferredReLU`), so the ReLU alone costs nothing in the forward pass. Every other output's
/// values are read inside the timing, as the next layer of a training step reads them.
func runLayerBenchmark(arguments: [String]) {
    var options = CommandLineArguments(arguments, usage: "usage: benchmarks layers [--threads N]")
    if let threads = options.integer("--threads", minimum: 1) { Parallelism.threadCount = threads }
    options.finish()
    print(
        "Layer benchmark: \(Parallelism.threadCount) threads; milliseconds per batch, best of at least 5 runs and 0.25 s"
    )
    manualSeed(1)
    profile(
        name: "pytorch-example, batch 64", batch: 64,
        layers: [
            ("conv1 1->32 3x3", Conv2d(inputChannels: 1, outputChannels: 32, kernelSize: 3)),
            ("relu", ReLU()),
            ("conv2 32->64 3x3", Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 3)),
            ("relu + maxpool 2", Sequential(ReLU(), MaxPool2d(kernelSize: 2))),
            ("dropout 0.25", Dropout(p: 0.25)),
            ("flatten", Flatten()),
            ("fc1 9216->128", Linear(inputFeatures: 9216, outputFeatures: 128)),
            ("relu", ReLU()),
            ("dropout 0.5", Dropout(p: 0.5)),
            ("fc2 128->10", Linear(inputFeatures: 128, outputFeatures: 10)),
            ("logSoftmax", LogSoftmax(dim: 1)),
        ])
    profile(
        name: "convnet, batch 200", batch: 200,
        layers: [
            ("conv1 1->24 3x3", Conv2d(inputChannels: 1, outputChannels: 24, kernelSize: 3)),
            ("relu + maxpool 2", Sequential(ReLU(), MaxPool2d(kernelSize: 2))),
            ("conv2 24->48 3x3", Conv2d(inputChannels: 24, outputChannels: 48, kernelSize: 3)),
            ("relu + maxpool 2", Sequential(ReLU(), MaxPool2d(kernelSize: 2))),
            ("flatten", Flatten()),
            ("fc1 1200->200", Linear(inputFeatures: 1200, outputFeatures: 200)),
            ("relu", ReLU()),
            ("fc2 200->10", Linear(inputFeatures: 200, outputFeatures: 10)),
            ("logSoftmax", LogSoftmax(dim: 1)),
        ])
}

private func profile(name: String, batch: Int, layers: [(String, Module)]) {
    print("\n\(name)")
    print("\(pad("layer", 20)) \(pad("forward", 9)) \(pad("backward", 9))")
    var input = Tensor.randn([batch, 1, 28, 28])
    var totals = (forward: 0.0, backward: 0.0)
    for (index, (label, layer)) in layers.enumerated() {
        // The first layer's input needs no gradient, as in training; later inputs do.
        let x = Tensor(shape: input.shape, data: input.data, requiresGrad: index > 0)
        var output = layer(x)
        let forward = Stopwatch.bestTime(minimumSeconds: 0.25, minimumRuns: 5) {
            output = layer(x)
            _ = output.data  // a ReLU's values are made when first read
        }
        let gradient = Tensor.randn(output.shape)
        let backward =
            Stopwatch.bestTime(minimumSeconds: 0.25, minimumRuns: 5) {
                layer.zeroGrad()
                x.zeroGrad()
                layer(x).backward(gradient)
            } - forward
        totals.forward += forward
        totals.backward += backward
        print(
            "\(pad(label, 20)) \(pad(String(format: "%.2f", forward * 1000), 9)) \(pad(String(format: "%.2f", max(0, backward) * 1000), 9))"
        )
        input = output.detached()
    }
    print(
        "\(pad("total", 20)) \(pad(String(format: "%.2f", totals.forward * 1000), 9)) \(pad(String(format: "%.2f", totals.backward * 1000), 9))"
    )
}
