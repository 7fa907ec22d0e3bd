import Parallel

/// The packed GEMM split across cores.
///
/// C is cut into `threads` bands along its longer side (rows when m >= n, else columns), each band
/// a whole number of register tiles, and each core runs `packedGEMM` on its band with its own
/// packing buffers. The bands share nothing they write, so no locks are needed, and the work is
/// coarse (one `parallelPerform` per GEMM), so starting the threads costs little next to it.
/// A large product cut into bands of rows shares its packed B instead (`sharedPanelGEMM`).
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
    // Bands of at least mc rows each, and a B worth sharing: more than 8 panels wide and at least
    // 1 MB (a smaller B costs less to pack twice than a second wake-up of the threads).
    if splitRows && n > 8 * PackedGEMMBlocking.nr && m >= parts * PackedGEMMBlocking.mc && k * n >= 1 << 18 {
        sharedPanelGEMM(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, parts: parts)
        return
    }
    parallelPerform(iterations: parts, threads: parts) { part in
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

/// The packed GEMM on `parts` cores that share each packed block of B, as BLIS does: every core
/// packs a share of the block's panels, then the cores multiply bands of C's rows by the whole
/// block. With separate bands, each core would pack all of B for itself: twice the copying on two
/// cores, and two 4 MB blocks competing for L3 at 2048^3.
///
/// Every entry of C is computed by the same micro-kernel calls in the same order as on one core,
/// so the result is the same bits.
func sharedPanelGEMM(
    m: Int, n: Int, k: Int, alpha: Float,
    a: StridedMatrix, b: StridedMatrix, beta: Float, c: OutputMatrix, parts: Int
) {
    typealias Blocking = PackedGEMMBlocking
    let plan = PackedGEMMPlan(m: m, n: n, k: k, a: a, b: b)
    // (Bands of at least mc rows: B is packed a block of `plan.ncMax` columns at a time, never a
    // panel at a time.)
    assert(!plan.packsBPanelwise, "sharedPanelGEMM: m = \(m) is one block of rows")
    let rowTiles = (m + Blocking.mr - 1) / Blocking.mr
    ScratchBuffer.with(count: plan.packedBCount) { buffer in
        // (The cores write disjoint panels of it, then read it.)
        let packedB = UncheckedSendable(buffer)
        for jc in stride(from: 0, to: n, by: plan.ncMax) {
            let nc = Swift.min(plan.ncMax, n - jc)
            let panels = (nc + Blocking.nr - 1) / Blocking.nr
            for pc in stride(from: 0, to: k, by: plan.kcMax) {
                let kc = Swift.min(plan.kcMax, k - pc)
                // Each core packs its share of the panels (panel j goes to packedB + nr j kc).
                parallelPerform(iterations: parts, threads: parts) { part in
                    let first = part * panels / parts * Blocking.nr
                    let end = Swift.min(nc, (part + 1) * panels / parts * Blocking.nr)
                    guard end > first else { return }
                    packB(
                        b.offset(row: pc, column: jc + first), k: kc, n: end - first, into: packedB.value + first * kc)
                }
                // Then the rows are multiplied by the whole block, in bands handed out to whichever
                // core is free: up to four per core, each at least mc rows. When another program
                // takes part of one core, the other core multiplies more of the bands instead of
                // waiting: with a busy loop on one of the two cores, 1024^3 ran at 127-130 GFLOP/s
                // instead of 92-97, 2048^3 at 121-143 instead of 103-107 (numpy: 79-113 and
                // 95-101). Bands of fewer rows cost up to 2% on a quiet machine (512^3), so 512^3
                // keeps one band per core.
                let bands = parts * Swift.max(1, Swift.min(4, m / (parts * Blocking.mc)))
                parallelPerform(iterations: bands, threads: parts) { band in
                    let start = band * rowTiles / bands * Blocking.mr
                    let end = Swift.min(m, (band + 1) * rowTiles / bands * Blocking.mr)
                    ScratchBuffer.with(count: plan.packedACount) { packedA in
                        multiplyBlock(
                            rows: start..<end, columns: jc..<jc + nc, depth: pc..<pc + kc, plan: plan, alpha: alpha,
                            a: a, packedB: packedB.value, beta: beta, c: c, packedA: packedA)
                    }
                }
            }
        }
    }
}
