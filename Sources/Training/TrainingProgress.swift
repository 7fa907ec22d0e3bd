import Foundation

/// What `trainEpoch` reports after every step, for whatever shows the progress.
public struct StepReport: Sendable {
    public let epoch: Int
    /// This step's batch, from 1, and the batches in the epoch.
    public let batch: Int
    public let batchesInEpoch: Int
    /// Images trained on so far in this epoch (this batch included), and in the whole epoch.
    public let imagesDone: Int
    public let imagesInEpoch: Int
    /// Images trained on before this batch (PyTorch's example prints this count).
    public let imagesBefore: Int
    /// This batch's loss.
    public let loss: Double
    /// Seconds since the epoch started.
    public let seconds: Double
    /// True on the steps whose loss is logged (every `logInterval`-th, from the first).
    public let isLogged: Bool
    /// Seconds this step spent in the forward pass (model and loss), in `backward()` and in the
    /// optimiser's step: where the time goes (`benchmarks train` adds them up).
    public var phases: (forward: Double, backward: Double, step: Double) = (0, 0, 0)

    public var imagesPerSecond: Double { Double(imagesDone) / Swift.max(seconds, 1e-9) }

    public init(
        epoch: Int, batch: Int, batchesInEpoch: Int, imagesDone: Int, imagesInEpoch: Int, imagesBefore: Int,
        loss: Double, seconds: Double, isLogged: Bool
    ) {
        (self.epoch, self.batch, self.batchesInEpoch) = (epoch, batch, batchesInEpoch)
        (self.imagesDone, self.imagesInEpoch, self.imagesBefore) = (imagesDone, imagesInEpoch, imagesBefore)
        (self.loss, self.seconds, self.isLogged) = (loss, seconds, isLogged)
    }
}

/// Shows a training loop's progress: `trainEpoch` calls `step` after every step and `finish` when
/// the epoch ends. `ProgressLines` prints PyTorch's lines; the programs' `ProgressBar` (in
/// ProgramSupport) redraws a bar in a terminal.
public protocol TrainingProgress: AnyObject {
    func step(_ report: StepReport)
    func finish()
}

/// The progress lines of PyTorch's MNIST example, one per logged step, counted as it counts:
/// the images before this batch, and the batches before it as a percentage of the epoch's.
///
///     Train Epoch: 1 [5760/60000 (10%)]\tLoss: 0.489694
///
/// ```swift
/// let result = trainEpoch(model: model, optimizer: optimizer, loader: loader, epoch: 1,
///                         progress: ProgressLines { print($0) })
/// ```
public final class ProgressLines: TrainingProgress {
    private let log: (String) -> Void

    /// - Parameter log: where each line goes (standard output by default, flushed line by line so
    ///   that progress reaches a log file or a pipe as it happens).
    public init(log: @escaping (String) -> Void = printLine) {
        self.log = log
    }

    public func step(_ report: StepReport) {
        guard report.isLogged else { return }
        // PyTorch: batch_idx * len(data), len(train_loader.dataset), 100. * batch_idx / len(train_loader).
        let percent = 100 * Double(report.batch - 1) / Double(Swift.max(1, report.batchesInEpoch))
        log(
            "Train Epoch: \(report.epoch) [\(report.imagesBefore)/\(report.imagesInEpoch) "
                + "(\(String(format: "%.0f", percent))%)]\tLoss: \(String(format: "%.6f", report.loss))")
    }

    public func finish() {}
}

/// Prints `line` to standard output and flushes it at once.
public func printLine(_ line: String) {
    print(line)
    fflush(nil)
}

/// Shows nothing: for runs that report only per epoch (`TrainingRun.onEpochEnd`).
public final class SilentProgress: TrainingProgress {
    public init() {}
    public func step(_ report: StepReport) {}
    public func finish() {}
}
