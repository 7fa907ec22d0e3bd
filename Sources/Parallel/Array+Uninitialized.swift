/// Arrays the kernels fill themselves: a convolution's output, a packed weight, written element by
/// element, where zero-filling first (as `Array(repeating: 0, count:)` does) would be a wasted pass
/// over memory.
///
/// ```swift
/// let squares = [Float](uninitializedCount: 4) { target in
///     for index in 0..<4 { target[index] = Float(index * index) }
/// }
/// ```
extension Array where Element == Float {
    /// An array of `count` Floats whose every element `initializer` writes, without first filling
    /// it with zeros. The initializer runs even when `count` is 0.
    public init(uninitializedCount count: Int, _ initializer: (UnsafeMutablePointer<Float>) -> Void) {
        guard count > 0 else {
            // `unsafeUninitializedCapacity: 0` would write its count into the one storage that all
            // empty arrays share: a data race between two threads making empty arrays at once.
            // The initializer still runs, on a pointer to no elements, because callers may compute
            // a second result inside it (Winograd's backward makes the weight gradient there when
            // no input gradient is wanted).
            var nothing: Float = 0
            withUnsafeMutablePointer(to: &nothing) { initializer($0) }
            self = []
            return
        }
        AllocatorTuning.apply()  // large arrays come back from the heap, not as fresh pages
        self.init(unsafeUninitializedCapacity: count) { buffer, initializedCount in
            if let base = buffer.baseAddress { initializer(base) }
            initializedCount = count
        }
    }
}
