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
    /// it with zeros.
    public init(uninitializedCount count: Int, _ initializer: (UnsafeMutablePointer<Float>) -> Void) {
        AllocatorTuning.apply()  // large arrays come back from the heap, not as fresh pages
        self.init(unsafeUninitializedCapacity: count) { buffer, initializedCount in
            if let base = buffer.baseAddress { initializer(base) }
            initializedCount = count
        }
    }
}
