/// Reusable scratch memory for kernels: a pool of 64-byte-aligned Float buffers.
///
/// A convolution needs a few hundred kilobytes of workspace per image, thousands of times per
/// epoch. Asking the system for fresh memory each time costs page faults and zeroing (measured:
/// ~10% of a training step); taking a buffer back from this pool costs a lock. The pool keeps at
/// most `maximumPooled` buffers; contents are not cleared between uses.
///
/// ```swift
/// ScratchBuffer.with(count: k * p) { cols in
///     im2col(image, into: cols)
/// }
/// ```
public enum ScratchBuffer {
    /// Buffers kept for reuse at most; extra ones are freed when returned.
    public static let maximumPooled = 16

    private static let pool = LockedValue<[(pointer: UnsafeMutablePointer<Float>, capacity: Int)]>([])

    /// Runs `body` with a buffer of at least `count` Floats (uninitialised).
    public static func with<Result>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> Result) rethrows
        -> Result
    {
        let buffer = take(count)
        defer { giveBack(buffer) }
        return try body(buffer.pointer)
    }

    /// A buffer of at least `count` Floats held until the lease is released (for memory that must
    /// outlive one function, such as a convolution's windows kept from the forward pass for the
    /// backward pass). It goes back to the pool when the last reference to the lease goes away.
    public final class Lease: @unchecked Sendable {
        public let pointer: UnsafeMutablePointer<Float>
        public let count: Int
        private let buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)

        fileprivate init(_ count: Int) {
            buffer = ScratchBuffer.take(count)
            pointer = buffer.pointer
            self.count = count
        }

        deinit { ScratchBuffer.giveBack(buffer) }
    }

    /// Leases a buffer of at least `count` Floats (uninitialised).
    public static func lease(count: Int) -> Lease { Lease(count) }

    fileprivate static func take(_ count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let reused = pool.withLock { buffers -> (pointer: UnsafeMutablePointer<Float>, capacity: Int)? in
            // The smallest buffer that is large enough (found without allocating: this runs for
            // every GEMM call's packing buffers).
            var chosen: Int? = nil
            for index in buffers.indices where buffers[index].capacity >= count {
                if let best = chosen, buffers[best].capacity <= buffers[index].capacity { continue }
                chosen = index
            }
            guard let chosen else { return nil }
            return buffers.remove(at: chosen)
        }
        if let reused { return reused }
        let capacity = Swift.max(count, 16)
        return (AlignedBuffer(count: capacity).pointer, capacity)
    }

    fileprivate static func giveBack(_ buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)) {
        let kept = pool.withLock { buffers -> Bool in
            guard buffers.count < maximumPooled else { return false }
            buffers.append(buffer)
            return true
        }
        if !kept { buffer.pointer.deallocate() }
    }
}
