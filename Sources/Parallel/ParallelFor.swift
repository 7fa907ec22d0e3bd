import Dispatch

/// Splits `0..<count` into one contiguous range per core and runs `body` on each range at the
/// same time, returning when all are done.
///
/// The kernels use it for work that divides cleanly: a convolution per image, pooling per plane.
/// `body` must only write to memory that belongs to its range (or to its part); that is what makes
/// it safe to run the ranges at once without locks. `body` also receives the index of its part,
/// `0..<parallelParts(count)`, for per-thread partial results such as a weight gradient summed
/// over a part of the batch; the split depends only on `count` and `Parallelism.threadCount`, so
/// results are reproducible for a given thread count.
///
/// - Parameters:
///   - minimumPerThread: below this many items per thread, fewer threads are used (waking a thread
///     costs microseconds).
///
/// ```swift
/// parallelFor(images) { part, range in
///     for image in range { im2col(image) }
/// }
/// ```
public func parallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
    let parts = parallelParts(count, minimumPerThread: minimumPerThread)
    guard parts > 1 else {
        if count > 0 { body(0, 0..<count) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            shared.value(part, part * count / parts..<(part + 1) * count / parts)
        }
    }
}

/// `parallelFor` for bodies that need only their range.
public func parallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    parallelFor(count, minimumPerThread: minimumPerThread) { _, range in body(range) }
}

/// How many parts `parallelFor` splits `count` items into.
public func parallelParts(_ count: Int, minimumPerThread: Int = 1) -> Int {
    Swift.max(1, Swift.min(Parallelism.threadCount, count / Swift.max(1, minimumPerThread)))
}

/// Lets a value cross into `concurrentPerform`'s closure. Only for values the caller has made safe
/// to share (disjoint writes), as `parallelFor` documents.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
