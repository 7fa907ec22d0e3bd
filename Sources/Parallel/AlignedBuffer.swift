#if os(Linux)
import Glibc
#endif

/// A Float buffer aligned to 64 bytes (a cache line), so SIMD loads from it never straddle lines.
/// It is not freed automatically: the GEMM's packing buffers and `ScratchBuffer` free it when done.
///
/// On Linux a buffer of 1 MB or more is aligned to 2 MB, rounded up to a whole number of 2 MB, and
/// marked for transparent huge pages (`madvise(MADV_HUGEPAGE)`, which the usual `madvise` setting
/// of `/sys/kernel/mm/transparent_hugepage/enabled` requires). The GEMM's packed block of B is read
/// again and again from L2; in 4 KB pages, which land anywhere in physical memory, some of L2's
/// sets (chosen by physical address) got more of the block than they hold, and a two-core 1024^3
/// product ran at a median of 161-199 GFLOP/s in some processes and 208 in others. In one 2 MB
/// page the block spreads evenly: 204-206 in every process, measured alternating the two.
///
/// ```swift
/// let panel = AlignedBuffer(count: 256 * 16)
/// defer { panel.deallocate() }
/// ```
public struct AlignedBuffer {
    public let pointer: UnsafeMutablePointer<Float>

    /// Buffers of at least this many bytes are backed by 2 MB pages where the system has them.
    public static let hugePageThreshold = 1 << 20
    /// The size and alignment of a huge page on x86-64 and arm64 Linux.
    public static let hugePageSize = 1 << 21

    public init(count: Int) {
        let bytes = Swift.max(count, 1) * 4
        #if os(Linux)
        if bytes >= Self.hugePageThreshold {
            let rounded = (bytes + Self.hugePageSize - 1) / Self.hugePageSize * Self.hugePageSize
            let raw = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: Self.hugePageSize)
            // Advice only: where huge pages are off or unavailable the buffer keeps 4 KB pages.
            _ = madvise(raw, rounded, MADV_HUGEPAGE)
            pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
            return
        }
        #endif
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    public func deallocate() { pointer.deallocate() }
}
