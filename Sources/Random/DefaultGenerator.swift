/// The process-wide seeded generator that layers draw their initial weights from, as PyTorch's
/// global generator: `manualSeed(1)` before building a model makes its weights the same every run.
///
/// It is guarded by a lock, so layers may be created on any thread.
///
/// ```swift
/// manualSeed(1)
/// let model = MLP()        // same initial weights on every run
/// ```
import Parallel

public enum DefaultGenerator {
    private static let global = LockedValue(SeededGenerator(seed: 0))
    /// A generator of the current task's own, while `isolated` runs.
    @TaskLocal static var taskGenerator: LockedValue<SeededGenerator>?
    /// The generator in use: the task's own inside `isolated`, else the process-wide one.
    private static var generator: LockedValue<SeededGenerator> { taskGenerator ?? global }

    /// Runs `body` with a default generator of its own, seeded with `seed`: everything `body` (and
    /// the code it calls on the same task) draws comes from it, and nothing running at the same
    /// time elsewhere can disturb it. Tests that compare runs bit for bit use this.
    public static func isolated<Result>(seed: UInt64 = 0, _ body: () throws -> Result) rethrows -> Result {
        try $taskGenerator.withValue(LockedValue(SeededGenerator(seed: seed))) { try body() }
    }

    /// `isolated` for asynchronous code.
    public static func isolated<Result>(seed: UInt64 = 0, _ body: () async throws -> Result) async rethrows -> Result {
        try await $taskGenerator.withValue(LockedValue(SeededGenerator(seed: seed))) { try await body() }
    }

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
