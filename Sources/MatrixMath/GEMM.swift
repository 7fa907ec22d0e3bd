/// Whether a GEMM operand is used as stored or transposed: BLAS's `op(X)`.
import Parallel

public enum Transpose: Sendable, Equatable {
    /// op(X) = X
    case none
    /// op(X) = X^T
    case transposed
}

/// Which of the three GEMM implementations to run. They compute the same product; the tutorial
/// times them side by side, and the tests check the fast ones against the naive one.
public enum GEMMKernel: Sendable, Equatable, CaseIterable {
    /// The textbook triple loop: one multiply-add at a time, no blocking, no SIMD.
    case naive
    /// Packed, cache-blocked, with a 6x16 register tile of SIMD8 fused multiply-adds, on one core.
    case packed
    /// The packed kernel with C split between `Parallelism.threadCount` cores.
    case parallel
}

extension GEMMKernel {
    /// The packed kernel's register tile: C is computed in blocks of `rows` x `columns` (6 x 16
    /// with AVX2, 6 x 32 with AVX-512), so a C whose sides are not multiples pays for the padding.
    public static var registerTile: (rows: Int, columns: Int) { (PackedGEMMBlocking.mr, PackedGEMMBlocking.nr) }

    /// The entries the packed kernel computes for an m x n C, padding included: a 48 x 24 C on
    /// 6 x 16 tiles costs 48 x 32, its transpose 24 x 48 nothing extra. A caller that can as well
    /// compute C^T = op(B)^T op(A)^T picks the orientation with the smaller figure.
    ///
    /// ```swift
    /// GEMMKernel.paddedArea(m: 48, n: 24)   // 1536 with a 6 x 16 tile
    /// GEMMKernel.paddedArea(m: 24, n: 48)   // 1152
    /// ```
    public static func paddedArea(m: Int, n: Int) -> Int {
        roundUp(m, to: PackedGEMMBlocking.mr) * roundUp(n, to: PackedGEMMBlocking.nr)
    }
}

/// General matrix multiply, the kernel under every layer of the framework:
///
///     C = alpha * op(A) * op(B) + beta * C
///
/// on raw row-major buffers, as BLAS's `sgemm`. `op(A)` is m x k, `op(B)` is k x n and C is m x n.
/// Leading dimensions are the distance between consecutive rows as stored: for `A` stored m x k
/// (`transA == .none`) lda >= k; for `A` stored k x m (`transA == .transposed`) lda >= m; likewise
/// for B, and ldc >= n.
///
/// When `beta == 0`, C is only written, never read (as in BLAS), so it may hold garbage or NaN.
///
/// ## Shape
/// - op(A): [m, k], op(B): [k, n], C: [m, n]
///
/// - Parameters:
///   - kernel: which implementation; `.parallel` (the default) falls back to one core for
///     products too small to be worth waking a second thread.
///
/// ```swift
/// let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
/// var c = [Float](repeating: 0, count: 4)
/// gemm(m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, c: &c, ldc: 2)   // c == [19, 22, 43, 50]
/// ```
public func gemm(
    transA: Transpose = .none, transB: Transpose = .none,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    kernel: GEMMKernel = .parallel
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
    precondition(
        lda >= Swift.max(1, transA == .none ? k : m),
        "gemm: lda \(lda) too small for op(A) \(m)x\(k) (\(transA))")
    precondition(
        ldb >= Swift.max(1, transB == .none ? n : k),
        "gemm: ldb \(ldb) too small for op(B) \(k)x\(n) (\(transB))")
    precondition(ldc >= Swift.max(1, n), "gemm: ldc \(ldc) too small for C \(m)x\(n)")
    if m == 0 || n == 0 { return }

    let opA = StridedMatrix(a, leadingDimension: lda, transpose: transA)
    let opB = StridedMatrix(b, leadingDimension: ldb, transpose: transB)
    let output = OutputMatrix(base: c, rowStride: ldc)

    // An empty inner dimension still scales C: C = beta * C.
    if k == 0 || alpha == 0 {
        output.scale(rows: m, columns: n, by: beta)
        return
    }
    switch kernel {
    case .naive:
        naiveGEMM(m: m, n: n, k: k, alpha: alpha, a: opA, b: opB, beta: beta, c: output)
    case .packed:
        packedGEMM(m: m, n: n, k: k, alpha: alpha, a: opA, b: opB, beta: beta, c: output)
    case .parallel:
        parallelGEMM(
            m: m, n: n, k: k, alpha: alpha, a: opA, b: opB, beta: beta, c: output,
            threads: Parallelism.threadCount)
    }
}

/// `gemm` on Swift arrays, for callers that do not hold raw buffers.
public func gemm(
    transA: Transpose = .none, transB: Transpose = .none,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: [Float], lda: Int,
    b: [Float], ldb: Int,
    beta: Float = 0,
    c: inout [Float], ldc: Int,
    kernel: GEMMKernel = .parallel
) {
    // Check the arrays hold what the sizes say before handing out raw pointers.
    func needed(rows: Int, columns: Int, leadingDimension: Int) -> Int {
        rows == 0 || columns == 0 ? 0 : (rows - 1) * leadingDimension + columns
    }
    let aNeeded =
        transA == .none
        ? needed(rows: m, columns: k, leadingDimension: lda)
        : needed(rows: k, columns: m, leadingDimension: lda)
    let bNeeded =
        transB == .none
        ? needed(rows: k, columns: n, leadingDimension: ldb)
        : needed(rows: n, columns: k, leadingDimension: ldb)
    let cNeeded = needed(rows: m, columns: n, leadingDimension: ldc)
    precondition(
        a.count >= aNeeded, "gemm: A holds \(a.count) values, op(A) \(m)x\(k) with lda \(lda) needs \(aNeeded)")
    precondition(
        b.count >= bNeeded, "gemm: B holds \(b.count) values, op(B) \(k)x\(n) with ldb \(ldb) needs \(bNeeded)")
    precondition(c.count >= cNeeded, "gemm: C holds \(c.count) values, C \(m)x\(n) with ldc \(ldc) needs \(cNeeded)")
    a.withUnsafeBufferPointer { aBuffer in
        b.withUnsafeBufferPointer { bBuffer in
            c.withUnsafeMutableBufferPointer { cBuffer in
                // A zero-size operand may have no storage; any valid address will do, it is not read.
                let dummy = UnsafeMutablePointer<Float>.allocate(capacity: 1)
                defer { dummy.deallocate() }
                gemm(
                    transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                    a: aBuffer.baseAddress ?? UnsafePointer(dummy), lda: lda,
                    b: bBuffer.baseAddress ?? UnsafePointer(dummy), ldb: ldb,
                    beta: beta, c: cBuffer.baseAddress ?? dummy, ldc: ldc, kernel: kernel)
            }
        }
    }
}

/// A read-only matrix seen through strides: element (i, j) is `base[i * rowStride + j * columnStride]`.
/// A transposed operand is the same memory with the two strides swapped, so every kernel handles
/// `op(X)` without copying.
struct StridedMatrix: @unchecked Sendable {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let columnStride: Int

    init(_ base: UnsafePointer<Float>, leadingDimension: Int, transpose: Transpose) {
        self.base = base
        if transpose == .none {
            (rowStride, columnStride) = (leadingDimension, 1)
        } else {
            (rowStride, columnStride) = (1, leadingDimension)
        }
    }

    init(base: UnsafePointer<Float>, rowStride: Int, columnStride: Int) {
        (self.base, self.rowStride, self.columnStride) = (base, rowStride, columnStride)
    }

    @inline(__always) subscript(i: Int, j: Int) -> Float {
        base[i * rowStride + j * columnStride]
    }

    /// The sub-matrix starting at (row, column).
    func offset(row: Int, column: Int) -> StridedMatrix {
        StridedMatrix(
            base: base + row * rowStride + column * columnStride,
            rowStride: rowStride, columnStride: columnStride)
    }
}

/// The row-major output C of a GEMM.
struct OutputMatrix: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let rowStride: Int

    func offset(row: Int, column: Int) -> OutputMatrix {
        OutputMatrix(base: base + row * rowStride + column, rowStride: rowStride)
    }

    /// C = beta * C, with beta == 0 meaning "overwrite with zeros" (NaN in C must not survive).
    func scale(rows: Int, columns: Int, by beta: Float) {
        for i in 0..<rows {
            let row = base + i * rowStride
            if beta == 0 {
                row.update(repeating: 0, count: columns)
            } else if beta != 1 {
                for j in 0..<columns { row[j] *= beta }
            }
        }
    }
}
