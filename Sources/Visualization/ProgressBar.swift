import Foundation
import MatrixMath

/// A one-line progress bar for a terminal, redrawn in place with a carriage return:
///
///     Epoch 1 [##########..........]  150/300  loss 0.1234  9,812 images/s  3 s left
///
/// ```swift
/// var bar = ProgressBar(label: "Epoch 1", total: 300)
/// bar.update(done: 150, loss: 0.1234, imagesPerSecond: 9812)   // returns true when it redrew
/// bar.finish()
/// ```
public struct ProgressBar {
    public let label: String
    public let total: Int
    public let width: Int
    private let watch = Stopwatch()
    private var lastDraw = -1.0

    public init(label: String, total: Int, width: Int = 24) {
        self.label = label
        self.total = Swift.max(total, 1)
        self.width = width
    }

    /// True when standard output is a terminal (not a file or a pipe).
    public static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The text of the bar for a state, without the carriage return.
    public func line(done: Int, loss: Double, imagesPerSecond: Double, elapsed: Double) -> String {
        let fraction = Swift.min(1, Double(done) / Double(total))
        let filled = Int(fraction * Double(width))
        let remaining = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "\(label) [\(bar)] \(String(repeating: " ", count: String(total).count - String(done).count))\(done)/\(total)  "
            + "loss \(String(format: "%.4f", loss))  \(Int(imagesPerSecond)) images/s  \(Int(remaining.rounded())) s left"
    }

    /// Redraws the bar at most ten times a second (and always on the last step).
    @discardableResult
    public mutating func update(done: Int, loss: Double, imagesPerSecond: Double) -> Bool {
        let now = watch.seconds
        guard done == total || now - lastDraw >= 0.1 else { return false }
        lastDraw = now
        print("\r" + line(done: done, loss: loss, imagesPerSecond: imagesPerSecond, elapsed: now), terminator: "")
        fflush(nil)
        return true
    }

    /// Ends the bar's line.
    public func finish() {
        print("")
        fflush(nil)
    }
}
