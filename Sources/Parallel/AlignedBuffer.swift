/// A Float buffer aligned to 64 bytes (a cache line), so SIMD loads from it never straddle lines.
/// It is not freed automatically: the GEMM's packing buffers and `ScratchBuffer` free it when done.
///
/// ```swift
/// let panel = AlignedBuffer(count: 256 * 16)
/// defer { panel.deallocate() }
/// ```
public struct AlignedBuffer {
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    public func deallocate() { pointer.deallocate() }
}
