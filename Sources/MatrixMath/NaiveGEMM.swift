/// The textbook triple loop: C[i, j] = alpha * sum_p op(A)[i, p] * op(B)[p, j] + beta * C[i, j].
///
/// Every multiply-add waits for the one before it (the sum is one long dependency chain), each
/// op(B)[p, j] read walks down a column, jumping a whole row of memory per step, and nothing is
/// reused from cache between one (i, j) and the next. It is the reference the fast kernels are
/// tested against, and the baseline tutorial 01 measures them by.
func naiveGEMM(
    m: Int, n: Int, k: Int, alpha: Float,
    a: StridedMatrix, b: StridedMatrix, beta: Float, c: OutputMatrix
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                sum += a[i, p] * b[p, j]
            }
            let old = beta == 0 ? 0 : beta * c.base[i * c.rowStride + j]
            c.base[i * c.rowStride + j] = alpha * sum + old
        }
    }
}
