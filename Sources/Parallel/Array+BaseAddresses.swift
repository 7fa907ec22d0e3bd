/// The base addresses of two arrays at once, for kernels that read several operands: one closure
/// instead of two nested `withUnsafeBufferPointer`s and a `guard` on each address.
///
/// An empty array has no storage to point at; `body` then receives a pointer that must not be
/// read (the kernels read nothing when a size is 0).
///
/// ```swift
/// withBaseAddresses(input, weight) { x, w in
///     gemm(m: oc, n: p, k: k, a: w, lda: k, b: x, ldb: p, c: output, ldc: p)
/// }
/// ```
public func withBaseAddresses<Result>(
    _ first: [Float], _ second: [Float],
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>) throws -> Result
) rethrows -> Result {
    try first.withUnsafeBufferPointer { a in
        try second.withUnsafeBufferPointer { b in
            try body(a.baseAddress ?? emptyArrayAddress, b.baseAddress ?? emptyArrayAddress)
        }
    }
}

/// The base addresses of three arrays at once (see the two-array form).
public func withBaseAddresses<Result>(
    _ first: [Float], _ second: [Float], _ third: [Float],
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) throws -> Result
) rethrows -> Result {
    try withBaseAddresses(first, second) { a, b in
        try third.withUnsafeBufferPointer { c in try body(a, b, c.baseAddress ?? emptyArrayAddress) }
    }
}

/// Where `withBaseAddresses` points for an empty array: a real, aligned address that nothing
/// reads or writes (so sharing it between threads is safe).
nonisolated(unsafe) private let emptyArrayAddress = UnsafePointer<Float>(
    UnsafeMutablePointer<Float>.allocate(capacity: 1))
