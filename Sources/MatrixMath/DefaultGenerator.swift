/// The process-wide seeded generator that layers draw their initial weights from, as PyTorch's
/// global generator: `manualSeed(1)` before building a model makes its weights the same every run.
///
/// It is guarded by a lock, so layers may be created on any thread.
///
/// ```swift
/// manualSeed(1)
/// let model = MLP()        // same initial weights on every run
/// ```
public enum DefaultGenerator {
    private static let generator = LockedValue(SeededGenerator(seed: 0))

    /// Restarts the default generator from `seed`.
    public static func manualSeed(_ seed: UInt64) {
        generator.withLock { $0 = SeededGenerator(seed: seed) }
    }

    /// Runs `body` with exclusive use of the default generator.
    public static func withGenerator<Result>(_ body: (inout SeededGenerator) throws -> Result) rethrows -> Result {
        try generator.withLock { try body(&$0) }
    }

    /// The generator's state, to save with a checkpoint and restore on resume.
    public static var state: (UInt64, UInt64, UInt64, UInt64) {
        get { generator.withLock { $0.state } }
        set { generator.withLock { $0.state = newValue } }
    }
}

/// Seeds the default generator (PyTorch's `torch.manual_seed`).
public func manualSeed(_ seed: UInt64) {
    DefaultGenerator.manualSeed(seed)
}
