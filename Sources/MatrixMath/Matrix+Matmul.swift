/// The matrix product, through the framework's GEMM kernel.
///
///     C[i, j] = sum_p A[i, p] * B[p, j]
///
/// ## Shape
/// - self [m, k], other [k, n] -> [m, n]
///
/// - Parameters:
///   - transposeSelf, transposeOther: multiply by the transpose without materialising it
///     (`a.matmul(b, transposeOther: true)` is A * B^T, what a `Linear` layer computes).
///   - kernel: which GEMM implementation to use (tutorial 01 compares them).
///
/// ```swift
/// let a = Matrix([[1, 2], [3, 4]])
/// a.matmul(Matrix.identity(2)) == a    // true
/// ```
extension Matrix {
    public func matmul(
        _ other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false,
        kernel: GEMMKernel = .parallel
    ) -> Matrix {
        let (m, k) = transposeSelf ? (columns, rows) : (rows, columns)
        let (k2, n) = transposeOther ? (other.columns, other.rows) : (other.rows, other.columns)
        precondition(
            k == k2,
            "Matrix.matmul: inner dimensions differ: "
                + "\(transposeSelf ? "(\(shapeText))^T" : shapeText) x "
                + "\(transposeOther ? "(\(other.shapeText))^T" : other.shapeText) (\(k) vs \(k2))")
        var result = Matrix.zeros(rows: m, columns: n)
        gemm(
            transA: transposeSelf ? .transposed : .none, transB: transposeOther ? .transposed : .none,
            m: m, n: n, k: k,
            a: storage, lda: Swift.max(1, columns),
            b: other.storage, ldb: Swift.max(1, other.columns),
            c: &result.storage, ldc: Swift.max(1, n), kernel: kernel)
        return result
    }
}
