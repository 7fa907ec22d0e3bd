/// Splits `0..<count` into contiguous ranges ("parts") and runs `body` on them on
/// `Parallelism.threadCount` cores at once, returning when all are done.
///
/// The kernels use it for work that divides cleanly: a convolution per image, pooling per plane.
/// `body` must only write to memory that belongs to its range (or to its part); that is what makes
/// it safe to run the ranges at once without locks. `body` also receives the index of its part,
/// `0..<parallelParts(count)`, for partial results such as a weight gradient summed over a part of
/// the batch; the split depends only on `count` and `Parallelism.threadCount`, so results are
/// reproducible for a given thread count.
///
/// The parts run through `parallelPerform` (on its pool's threads, which stay awake between loops,
/// when the pool is free). There are up to four parts per thread, handed out one at a time to
/// whichever thread is free:
/// on a shared machine one core is sometimes slower than the other for a while, and with one part
/// per thread the fast one would then sit idle waiting (measured: training epochs 0-12% faster
/// with four parts per thread on the 2-core development machine).
///
/// - Parameters:
///   - minimumPerThread: below this many items per part, fewer parts and threads are used (waking
///     a thread costs microseconds).
///
/// ```swift
/// parallelFor(images) { part, range in
///     for image in range { im2col(image) }
/// }
/// ```
public func parallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
    let parts = parallelParts(count, minimumPerThread: minimumPerThread)
    @Sendable func range(_ part: Int) -> Range<Int> { part * count / parts..<(part + 1) * count / parts }
    let threads = Swift.min(Parallelism.threadCount, parts)
    guard threads > 1 else {
        for part in 0..<parts where count > 0 { body(part, range(part)) }
        return
    }
    parallelPerform(iterations: parts, threads: threads) { part in body(part, range(part)) }
}

/// `parallelFor` for bodies that need only their range.
public func parallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    parallelFor(count, minimumPerThread: minimumPerThread) { _, range in body(range) }
}

/// How many parts `parallelFor` splits `count` items into: one on one thread, else up to four per
/// thread, each of at least `minimumPerThread` items.
public func parallelParts(_ count: Int, minimumPerThread: Int = 1) -> Int {
    let threads = Parallelism.threadCount
    guard threads > 1 else { return 1 }
    return Swift.max(1, Swift.min(4 * threads, count / Swift.max(1, minimumPerThread)))
}

/// Lets a value cross into a closure run on other threads. Only for values the caller has made safe
/// to share (disjoint writes), as `parallelFor` documents.
package struct UncheckedSendable<Value>: @unchecked Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}
