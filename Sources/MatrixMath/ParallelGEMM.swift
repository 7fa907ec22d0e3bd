import Dispatch

/// The packed GEMM split across cores.
///
/// C is cut into `threads` bands along its longer side (rows when m >= n, else columns), each band
/// a whole number of register tiles, and each core runs `packedGEMM` on its band with its own
/// packing buffers. The bands share nothing they write, so no locks are needed, and the work is
/// coarse (one `concurrentPerform` per GEMM), so waking the threads costs little next to it.
func parallelGEMM(
    m: Int, n: Int, k: Int, alpha: Float,
    a: StridedMatrix, b: StridedMatrix, beta: Float, c: OutputMatrix, threads: Int
) {
    // Below about a million multiply-adds (~20 microseconds on one core) a second thread costs
    // more to wake than it saves.
    let minimumWorkPerThread = 1 << 20
    let work = m * n * k
    let splitRows = m >= n
    let tileCount =
        splitRows
        ? (m + PackedGEMMBlocking.mr - 1) / PackedGEMMBlocking.mr
        : (n + PackedGEMMBlocking.nr - 1) / PackedGEMMBlocking.nr
    let parts = Swift.min(threads, tileCount, Swift.max(1, work / minimumWorkPerThread))
    if parts <= 1 {
        packedGEMM(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
        return
    }
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        // Part p takes tiles [p * tiles / parts, (p + 1) * tiles / parts): sizes differ by at most one.
        let firstTile = part * tileCount / parts
        let endTile = (part + 1) * tileCount / parts
        if splitRows {
            let start = firstTile * PackedGEMMBlocking.mr
            let end = Swift.min(m, endTile * PackedGEMMBlocking.mr)
            packedGEMM(
                m: end - start, n: n, k: k, alpha: alpha,
                a: a.offset(row: start, column: 0), b: b, beta: beta,
                c: c.offset(row: start, column: 0))
        } else {
            let start = firstTile * PackedGEMMBlocking.nr
            let end = Swift.min(n, endTile * PackedGEMMBlocking.nr)
            packedGEMM(
                m: m, n: end - start, k: k, alpha: alpha,
                a: a, b: b.offset(row: 0, column: start), beta: beta,
                c: c.offset(row: 0, column: start))
        }
    }
}
