import Foundation
import Training

/// A one-line progress bar for a terminal, redrawn in place with a carriage return after the
/// training steps `trainEpoch` reports:
///
///     Epoch 1 [##########..........]  150/300  loss 0.1234  9,812 images/s  3 s left
///
/// ```swift
/// let bar = ProgressBar()
/// trainEpoch(model: model, optimizer: optimizer, loader: loader, epoch: 1, progress: bar)
/// ```
public final class ProgressBar: TrainingProgress {
    public let width: Int
    private var lastDraw = -1.0
    private var isDrawn = false

    public init(width: Int = 24) {
        self.width = width
    }

    /// True when standard output is a terminal (not a file or a pipe).
    public static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// A bar in a terminal, nil (PyTorch's progress lines) in a file or a pipe: what the programs
    /// pass as `progress`.
    public static func ifTerminal() -> ProgressBar? {
        isTerminal ? ProgressBar() : nil
    }

    /// The text of the bar for a step, without the carriage return.
    public func line(for report: StepReport) -> String {
        let total = Swift.max(report.batchesInEpoch, 1)
        let done = Swift.min(report.batch, total)
        let fraction = Double(done) / Double(total)
        let filled = Int(fraction * Double(width))
        let remaining = done > 0 ? report.seconds / Double(done) * Double(total - done) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let counter =
            String(repeating: " ", count: Swift.max(0, String(total).count - String(done).count)) + "\(done)/\(total)"
        return "Epoch \(report.epoch) [\(bar)] \(counter)  loss \(String(format: "%.4f", report.loss))  "
            + "\(Int(report.imagesPerSecond)) images/s  \(Int(remaining.rounded())) s left"
    }

    /// Redraws the bar at most ten times a second, and always on the last step.
    public func step(_ report: StepReport) {
        guard report.batch >= report.batchesInEpoch || report.seconds - lastDraw >= 0.1 else { return }
        lastDraw = report.seconds
        print("\r" + line(for: report), terminator: "")
        fflush(nil)
        isDrawn = true
    }

    /// Ends the bar's line, ready for the next epoch.
    public func finish() {
        if isDrawn { printLine("") }
        isDrawn = false
        lastDraw = -1
    }
}
