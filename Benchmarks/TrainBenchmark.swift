import Foundation
import Kindling
import ProgramSupport

/// Seconds per epoch of real training (forward, backward, optimiser step) on MNIST, for the
/// recipes the speed targets name, and the process's peak memory.
func runTrainBenchmark(arguments: [String]) {
    var options = CommandLineArguments(
        arguments,
        usage: """
            usage: benchmarks train [--models convnet,pytorch-example] [--limit N] [--epochs N] [--threads N] [--data DIR]
              --limit N    train on the first N images only (default: all 60000)
              --epochs N   epochs per model (default 1); more shows whether memory grows
            """)
    let names = options.string("--models", default: "convnet,pytorch-example").split(separator: ",").map(String.init)
    let limit = options.integer("--limit", minimum: 1)
    let epochs = options.integer("--epochs", default: 1, minimum: 1)
    if let threads = options.integer("--threads", minimum: 1) { Parallelism.threadCount = threads }
    let directory = options.dataDirectory()
    options.finish()

    let train = runOrExit { try MNIST(split: .train, directory: directory) }
    // On a shared virtual machine one measurement of the ceiling can come out low (half its usual
    // value has been seen): each takes ten runs of the loop (about 0.3 s) rather than three, it is
    // measured again after every epoch, and the highest so far is the ceiling, so that no share
    // is inflated past 100% by one slow measurement.
    func measurePeak() -> Double { FMAPeak.measure(threads: Parallelism.threadCount, runs: 10) }
    var peak = measurePeak()
    print(
        "Training benchmark: \(Parallelism.threadCount) threads, \(limit ?? train.count) images per epoch, release build; "
            + String(format: "FMA peak on %d threads %.1f GFLOP/s", Parallelism.threadCount, peak))
    for name in names {
        guard let recipe = MNISTRecipe(rawValue: name) else {
            printError(
                "benchmarks train: unknown model '\(name)' (one of \(MNISTRecipe.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
            exit(2)
        }
        manualSeed(1)
        let model = recipe.makeModel()
        let optimizer = MNISTRecipe.makeOptimizer(
            recipe.optimizer, parameters: model.parameters(),
            learningRate: recipe.learningRate, momentum: 0)
        let loader = DataLoader(
            train, batchSize: recipe.batchSize, shuffle: true, seed: 1, limit: limit,
            normalize: recipe.normalization)
        // The FLOPs of one training step per image: every product and convolution, forward and
        // backward (the same count PyTorch's FlopCounterMode gives; pytorch_compare.py prints it).
        model.eval()
        let count = FLOPCount.measure { _ = model(Tensor.zeros([recipe.batchSize, 1, 28, 28])) }
        model.train()
        let flopsPerImage = (count.forward + count.backward) / Double(recipe.batchSize)
        print(
            String(
                format:
                    "%@: %.2f MFLOP per image per training step (%.2f forward, %.2f backward), %.1f GFLOP per 60000-image epoch",
                name, flopsPerImage / 1e6, count.forward / Double(recipe.batchSize) / 1e6,
                count.backward / Double(recipe.batchSize) / 1e6, flopsPerImage * 60000 / 1e9))
        for epoch in 1...epochs {
            // The library's own epoch loop, with an observer adding up where each step's time went.
            let phases = PhaseTotals()
            let result = trainEpoch(model: model, optimizer: optimizer, loader: loader, epoch: epoch, progress: phases)
            let (seconds, lossSum) = (result.seconds, result.averageLoss * Double(result.batches))
            let scaled = seconds * Double(train.count) / Double(loader.sampleCount)
            print(
                "\(name) (\(recipe.optimizer.rawValue), batch \(recipe.batchSize)) epoch \(epoch): "
                    + String(
                        format:
                            "%.2f s for %d images, %.2f s per 60000-image epoch, %.0f images/s, mean loss %.4f, resident %d MB, peak %d MB",
                        seconds, loader.sampleCount, scaled, Double(loader.sampleCount) / seconds,
                        lossSum / Double(loader.count), ResourceUsage.currentResidentBytes >> 20,
                        ResourceUsage.peakResidentBytes >> 20))
            let effective = flopsPerImage * Double(loader.sampleCount) / seconds / 1e9
            peak = Swift.max(peak, measurePeak())
            // The count is the direct convolution's (PyTorch's count too); the 3x3 layers run
            // Winograd's F(4x4, 3x3) in these batches, which does 36/144 of their multiply-adds, so
            // this share of the peak says how fast the step is, not how busy the FMA units were.
            print(
                String(
                    format:
                        "  effective %.1f GFLOP/s: %.0f%% of the %d-thread FMA peak (%.1f, the highest measured so far; FLOPs counted as direct convolution; the 3x3 layers do 36/144 of them by Winograd's transform)",
                    effective, effective / peak * 100, Parallelism.threadCount, peak))
            let perBatch = phases.totals.map { $0 / Double(loader.count) * 1000 }
            print(
                String(
                    format:
                        "  per batch: forward %.2f ms, backward %.2f ms, optimizer step %.2f ms, data and the rest %.2f ms",
                    perBatch[0], perBatch[1], perBatch[2], seconds / Double(loader.count) * 1000 - perBatch.reduce(0, +)
                ))
        }
    }
}

/// Adds up the forward, backward and optimiser-step seconds `trainEpoch` reports for each step.
final class PhaseTotals: TrainingProgress {
    var totals = [0.0, 0.0, 0.0]

    func step(_ report: StepReport) {
        totals[0] += report.phases.forward
        totals[1] += report.phases.backward
        totals[2] += report.phases.step
    }

    func finish() {}
}
