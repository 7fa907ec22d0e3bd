import Dispatch

/// Splits `0..<count` into one contiguous range per core and runs `body` on each range at the
/// same time, returning when all are done.
///
/// The kernels use it for work that divides cleanly: im2col per image, pooling per plane. `body`
/// must only write to memory that belongs to its range; that is what makes it safe to run the
/// ranges at once without locks.
///
/// - Parameters:
///   - minimumPerThread: below this many items per thread, fewer threads are used (waking a thread
///     costs microseconds).
///
/// ```swift
/// parallelFor(images) { range in
///     for image in range { im2col(image) }
/// }
/// ```
public func parallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = Swift.min(Parallelism.threadCount, count / Swift.max(1, minimumPerThread))
    guard threads > 1 else {
        if count > 0 { body(0..<count) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: threads) { part in
            shared.value(part * count / threads ..< (part + 1) * count / threads)
        }
    }
}

/// Lets a value cross into `concurrentPerform`'s closure. Only for values the caller has made safe
/// to share (disjoint writes), as `parallelFor` documents.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
