import Dispatch

/// Measures elapsed wall-clock time with the monotonic clock, for the timings the tutorials,
/// programs and benchmarks print.
///
/// ```swift
/// let watch = Stopwatch()
/// train()
/// print("took \(watch.seconds) s")
/// ```
public struct Stopwatch: Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// Seconds since the stopwatch was created.
    public var seconds: Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Runs `body` repeatedly until at least `minimumSeconds` have passed and at least
    /// `minimumRuns` runs are done, and returns the fastest run in seconds: the best run is the one
    /// least disturbed by the rest of the machine.
    public static func bestTime(
        minimumSeconds: Double = 0.3, minimumRuns: Int = 3,
        _ body: () -> Void
    ) -> Double {
        var best = Double.infinity
        var total = 0.0
        var runs = 0
        while runs < minimumRuns || total < minimumSeconds {
            let watch = Stopwatch()
            body()
            let seconds = watch.seconds
            best = Swift.min(best, seconds)
            total += seconds
            runs += 1
        }
        return best
    }
}
