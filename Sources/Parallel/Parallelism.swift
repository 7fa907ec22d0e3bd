import Foundation

/// How many cores the framework's kernels use.
///
/// It starts at the number of active processors, or at `KINDLING_THREADS` when that environment
/// variable holds a positive number, and can be changed at any time (the `--threads` flag of the
/// programs sets it). Results with the same thread count are bitwise reproducible; with another
/// count, a sum may be split differently and the last bits may change.
///
/// ```swift
/// Parallelism.threadCount = 1    // time the single-core kernels
/// ```
public enum Parallelism {
    /// A thread count of the current task's own, while `withThreadCount` runs.
    @TaskLocal static var taskThreadCount: Int?

    /// The thread count in use: the task's own inside `withThreadCount`, else the process-wide
    /// setting (which the setter changes).
    public static var threadCount: Int {
        get { taskThreadCount ?? storage.withLock { $0 } }
        set {
            precondition(newValue >= 1, "Parallelism.threadCount must be at least 1, got \(newValue)")
            storage.withLock { $0 = newValue }
        }
    }

    /// Runs `body` with `count` threads for the kernels it calls from this task, leaving the
    /// process-wide setting (and other tasks) alone.
    public static func withThreadCount<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
        precondition(count >= 1, "Parallelism.withThreadCount: at least 1 thread, got \(count)")
        return try $taskThreadCount.withValue(count) { try body() }
    }

    private static let storage = LockedValue<Int>(defaultThreadCount())

    private static func defaultThreadCount() -> Int {
        if let text = ProcessInfo.processInfo.environment["KINDLING_THREADS"],
            let value = Int(text), value >= 1
        {
            return value
        }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
