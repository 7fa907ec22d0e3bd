/// The fast single-core GEMM: packed operands, cache blocking and a 6x16 register tile of SIMD
/// fused multiply-adds (the structure of BLIS and of every fast CPU BLAS). An AVX-512 build
/// (KINDLING_AVX512, see Package.swift) uses a 6x32 tile of SIMD16 instead, `microKernel6x32`.
///
/// Why each piece is there, from the inside out:
///
/// 1. **Register tile (micro-kernel).** A 6x16 block of C lives in 12 `SIMD8<Float>` accumulators
///    (12 of the 16 AVX registers). Each step of the inner loop loads 16 values of one row of B
///    (two vectors), broadcasts 6 values of one column of A, and issues 12 FMAs: 192 multiply-adds
///    for 8 loads. The naive loop does one multiply-add per two loads.
/// 2. **Independent chains.** The 12 accumulators are 12 independent dependency chains, enough to
///    hide the 4-cycle latency of FMA on two FMA ports; one running `sum` cannot.
/// 3. **Packing.** Before the micro-kernel runs, a kc x 16 panel of B and a 6 x kc panel of A are
///    copied into contiguous buffers in exactly the order the micro-kernel reads them. Every load is
///    then sequential, whatever op(A) and op(B) were (transposed, strided), and the copy costs
///    O(mk + kn) against the O(mnk) work it speeds up. (B is always packed. A is read in place
///    when N is small and its rows are contiguous: each A panel then serves too few tiles to repay
///    its copy.)
/// 4. **Cache blocking.** A 6-row panel of A (6 x kc, kc = 512: 12 KB) is reused by every call
///    while the kernel sweeps the packed panels of a block of B (32 KB each, streaming past it
///    from L2 or L3, so the A panel is read from L1 and L2), and C is reloaded once per 512 of k;
///    mc = 144 rows of A (288 KB) are packed at a time; nc = 4080 columns of B bound the packed B
///    block (8 MB) for L3. A product whose rows are one block (m <= mc) packs B in 512 KB blocks
///    that stay in L2, or, when B is transposed, one panel at a time right before its use
///    (`PackedGEMMPlan`).
import Parallel

func packedGEMM(
    m: Int, n: Int, k: Int, alpha: Float,
    a: StridedMatrix, b: StridedMatrix, beta: Float, c: OutputMatrix
) {
    let plan = PackedGEMMPlan(m: m, n: n, k: k, a: a, b: b)
    // Both packing buffers in one scratch buffer from the pool (not fresh memory: a Winograd
    // convolution makes thousands of small products per step), B's 64-byte aligned after A's.
    ScratchBuffer.with(count: plan.packedACount + plan.packedBCount) { work in
        let packedB = work + plan.packedACount
        for jc in stride(from: 0, to: n, by: plan.ncMax) {
            let nc = Swift.min(plan.ncMax, n - jc)
            for pc in stride(from: 0, to: k, by: plan.kcMax) {
                let kc = Swift.min(plan.kcMax, k - pc)
                if !plan.packsBPanelwise { packB(b.offset(row: pc, column: jc), k: kc, n: nc, into: packedB) }
                multiplyBlock(
                    rows: 0..<m, columns: jc..<jc + nc, depth: pc..<pc + kc, plan: plan, alpha: alpha, a: a,
                    b: plan.packsBPanelwise ? b : nil, packedB: packedB, beta: beta, c: c, packedA: work)
            }
        }
    }
}

/// How `packedGEMM` splits one product: the slices of k, whether A is read in place, and the
/// sizes of the packing buffers.
struct PackedGEMMPlan {
    /// The length of every slice of k but possibly the last.
    let kcMax: Int
    /// Whether the micro-kernel reads A's rows where they are instead of a packed copy.
    let readsADirectly: Bool
    /// Whether each panel of B is packed right before the micro-kernel calls that use it, instead
    /// of a whole block of panels first.
    let packsBPanelwise: Bool
    /// Columns of each block of B: `PackedGEMMBlocking.nc`, or for a single block of rows packed a
    /// block at a time, as many as fill 2^17 floats (512 KB) at `kcMax` rows.
    let ncMax: Int
    /// Floats of the packed A buffer (rounded to 64 bytes) and of the packed B block (or panel).
    let packedACount: Int, packedBCount: Int

    init(m: Int, n: Int, k: Int, a: StridedMatrix, b: StridedMatrix) {
        typealias Blocking = PackedGEMMBlocking
        // Split k into equal slices of at most kc: k = 288 as two slices of 144, not 256 + 32, since
        // a thin last slice pays the cost of loading and storing C for very little arithmetic.
        let kSlices = (k + Blocking.kc - 1) / Blocking.kc
        kcMax = (k + kSlices - 1) / kSlices
        // When rows of A are contiguous and C is narrow (an im2col product: many rows, few output
        // channels), each A panel is used by only n/16 micro-kernel calls, too few to repay copying
        // it: the micro-kernel then reads A's six rows where they are. Wide products still pack A,
        // whose contiguous copy is reused across all of n. (A last panel of fewer than six rows is
        // always packed, zero-padded, so the micro-kernel never reads past A.)
        // The same holds when all of A fits in L1 (4096 floats, 16 KB), as in the small products of
        // a Winograd convolution: its rows stay in L1 for the whole product wherever they are.
        readsADirectly = a.columnStride == 1 && (n <= 8 * Blocking.nr || m * k <= 4096)
        let mcMax = readsADirectly ? Blocking.mr : Swift.min(Blocking.mc, roundUp(m, to: Blocking.mr))
        packedACount = roundUp(mcMax * kcMax, to: 16)
        // All of C's rows in one block (m <= mc) and B transposed (its columns contiguous, as in
        // fc1's forward X W^T, or 64 x 9216 x 128 with B^T): each panel of B serves that one block
        // only, so it is packed right before its micro-kernel calls, into an L1-sized buffer that is
        // still in L1 or L2 when read. Packed a block at a time, the panels went out to L2 or L3
        // (2 MB for 64 x 9216 x 128) and came back: that product ran at 45-63% of one core's
        // ceiling instead of 75-83%. (A B with contiguous rows is still packed a block at a time:
        // eight of its rows are then read end to end, see `packB`, where one panel alone would
        // take 64 bytes from each row.)
        packsBPanelwise = m <= Blocking.mc && b.columnStride != 1
        // One block of rows also uses each block of B once, so the block need only be large enough
        // to stay in L2 between its packing and its use: 512 KB, half of L2, instead of up to 8 MB
        // that went out to L3 and came back (fc1's input gradient dY W, 64 x 9216 x 128: 59-66 ->
        // 66-73 GFLOP/s on one core, 107-112 -> 127-136 on two; 64 x 2048 x 512: 57-75 -> 71-89 on
        // one). A large product keeps BLIS's L3-sized blocks: its block of B serves many blocks of
        // rows (2048^3 measured the same with 1 or 2 MB blocks).
        ncMax =
            m <= Blocking.mc && !packsBPanelwise
            ? Swift.max(Blocking.nr, (1 << 17) / kcMax / Blocking.nr * Blocking.nr) : Blocking.nc
        packedBCount = kcMax * (packsBPanelwise ? Blocking.nr : roundUp(Swift.min(ncMax, n), to: Blocking.nr))
    }
}

/// C[rows, columns] = alpha * A[rows, depth] * B[depth, columns] + beta' * C[rows, columns], with
/// beta' = beta on the first slice of k, 1 on later ones: the loops around the micro-kernel, A
/// packed `mc` rows at a time into `packedA` (or read in place, `plan.readsADirectly`). B's block
/// is already packed in `packedB` (`packB`), unless `b` is given (`plan.packsBPanelwise`): then
/// each of its panels is packed into `packedB` right before the calls that use it.
func multiplyBlock(
    rows: Range<Int>, columns: Range<Int>, depth: Range<Int>, plan: PackedGEMMPlan, alpha: Float,
    a: StridedMatrix, b unpackedB: StridedMatrix? = nil, packedB: UnsafeMutablePointer<Float>, beta: Float,
    c: OutputMatrix, packedA: UnsafeMutablePointer<Float>
) {
    typealias Blocking = PackedGEMMBlocking
    let (jc, nc, pc, kc) = (columns.lowerBound, columns.count, depth.lowerBound, depth.count)
    // beta applies once, on the first slice of k; later slices add to what is there.
    let sliceBeta: Float = pc == 0 ? beta : 1
    for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: Blocking.mc) {
        let mc = Swift.min(Blocking.mc, rows.upperBound - ic)
        let block = a.offset(row: ic, column: pc)
        if plan.readsADirectly {
            let partialRows = mc % Blocking.mr
            if partialRows > 0 {
                packA(block.offset(row: mc - partialRows, column: 0), m: partialRows, k: kc, into: packedA)
            }
        } else {
            packA(block, m: mc, k: kc, into: packedA)
        }
        // The micro-kernel on row panel ir (6 rows from ic + ir) and column panel jr (16 columns
        // from jc + jr), whose packed B panel is at `bPanel`.
        func tile(ir: Int, jr: Int, bPanel: UnsafePointer<Float>) {
            let rows = Swift.min(Blocking.mr, mc - ir)
            let panel =
                !plan.readsADirectly
                ? APanel(packed: packedA + ir * kc)
                : rows == Blocking.mr
                    ? APanel(rowsOf: block.offset(row: ir, column: 0))
                    : APanel(packed: packedA)
            #if KINDLING_AVX512
            microKernel6x32(
                k: kc, a: panel, b: bPanel, c: c.offset(row: ic + ir, column: jc + jr), rows: rows,
                columns: Swift.min(Blocking.nr, nc - jr), alpha: alpha, beta: sliceBeta)
            #else
            microKernel6x16(
                k: kc, a: panel, b: bPanel, c: c.offset(row: ic + ir, column: jc + jr), rows: rows,
                columns: Swift.min(Blocking.nr, nc - jr), alpha: alpha, beta: sliceBeta)
            #endif
        }
        if let unpackedB {
            // (`plan.packsBPanelwise`: one block of rows.) Each panel of B is packed, then used by
            // every row panel while it is in L1 or L2.
            for jr in stride(from: 0, to: nc, by: Blocking.nr) {
                packB(
                    unpackedB.offset(row: pc, column: jc + jr), k: kc, n: Swift.min(Blocking.nr, nc - jr), into: packedB
                )
                for ir in stride(from: 0, to: mc, by: Blocking.mr) { tile(ir: ir, jr: jr, bPanel: packedB) }
            }
        } else {
            // Row panel by row panel: the panel of A (6 x kc, 12 KB) is reused, from L1 and L2,
            // while the kernel sweeps the block's panels of B, which stream in from L2 or L3 in the
            // order they were packed, and consecutive calls write neighbouring 16-column tiles of
            // the same six rows of C, which the prefetcher follows. (BLIS's order, column panel outside, kept a B
            // panel in L1 but walked down C six rows at a time, a new set of pages every call:
            // 2048^3 ran at 98-102 GFLOP/s on one core instead of 106-108, 1024^3 at 102 instead of
            // 106, and 198 instead of 205 on two cores.)
            for ir in stride(from: 0, to: mc, by: Blocking.mr) {
                for jr in stride(from: 0, to: nc, by: Blocking.nr) {
                    tile(ir: ir, jr: jr, bPanel: UnsafePointer(packedB + jr * kc))
                }
            }
        }
    }
}

enum PackedGEMMBlocking {
    /// Rows of the register tile.
    static let mr = 6
    #if KINDLING_AVX512
    /// Columns of the register tile: two SIMD16 vectors (`microKernel6x32`).
    static let nr = 32
    /// A 32-wide B panel of kc rows: 128 x 32 x 4 bytes = 16 KB, half of a 32 KB L1.
    static let kc = 128
    #else
    /// Columns of the register tile: two SIMD8 vectors (`microKernel6x16`).
    static let nr = 16
    /// Rows of k per slice. A 6-row panel of A of 512 steps is 12 KB and is reused from L1 and L2
    /// while the B panels (32 KB each) stream past from L2 or L3, which keep up with one FMA pair
    /// per 64 bytes; what the longer slice saves is reloading C between slices. Measured on a Zen 4 core, three
    /// rounds each (with B's panels outside the row panels, BLIS's order): 1024^3 from 82-83% of
    /// the peak (kc 256) to 83-86%, 2048^3 from 84-85% to 84-86%, 512^3 unchanged at 88-89%. In
    /// the row-panel order 768 and 1024 measured the same as 512.
    static let kc = 512
    #endif
    static let mc = 144
    /// Columns of a packed B block: a whole number of panels, just under 4096.
    static let nc = 4096 - nr
}

@inline(__always) func roundUp(_ x: Int, to multiple: Int) -> Int {
    (x + multiple - 1) / multiple * multiple
}

/// Copies the m x k block `a` into 6-row micro-panels: panel r holds, for each p in 0..<k, the six
/// values a[6r ..< 6r+6, p] side by side, the order in which the micro-kernel broadcasts them.
/// Rows past m are zero, so a partial panel computes harmless zeros.
func packA(_ a: StridedMatrix, m: Int, k: Int, into destination: UnsafeMutablePointer<Float>) {
    let mr = PackedGEMMBlocking.mr
    for panelStart in stride(from: 0, to: m, by: mr) {
        let panel = destination + panelStart * k
        let rows = Swift.min(mr, m - panelStart)
        // A last panel of fewer than mr rows is cleared first in one pass (a memset), then its
        // rows are written: clearing the missing rows value by value, interleaved with the rows,
        // took a third of the time a Winograd product spent outside its micro-kernel.
        if rows < mr { panel.update(repeating: 0, count: k * mr) }
        if a.columnStride == 1 && rows == mr && mr == 6 {
            // Rows of A are contiguous and the panel is whole: eight values of each of the six
            // rows, transposed in registers (with two rows of zeros) into the six values of each
            // of eight steps. The six rows are read side by side, six sequential streams, instead
            // of one after the other, and a step's six values are written at once (2048^3's A
            // packed in 1.3 ms instead of 3.6, about 1.5% of the product).
            interleaveSixRows(a.base + panelStart * a.rowStride, rowStride: a.rowStride, k: k, into: panel)
        } else if a.columnStride == 1 {
            // Rows of A are contiguous: read each row once, write it with a stride of mr (a
            // pointer stepped by mr, not an index recomputed, with its overflow check, per value).
            for r in 0..<rows {
                let source = a.base + (panelStart + r) * a.rowStride
                var target = panel + r
                for p in 0..<k {
                    target.pointee = source[p]
                    target += mr
                }
            }
        } else if a.rowStride == 1 && rows == mr && mr == 6 {
            // A was transposed and stored [k, m]: the six values a panel takes at each p sit side by
            // side in stored row p, and side by side in the panel: two vector moves (4 + 2) per p
            // instead of six single ones (convnet's fc1 weight gradient, 1200 x 200 x 200 with A^T,
            // went from 81% to 90% of the one-core peak).
            for p in 0..<k {
                let source = UnsafeRawPointer(a.base + p * a.columnStride + panelStart)
                let target = UnsafeMutableRawPointer(panel + p * mr)
                target.storeBytes(of: source.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                target.storeBytes(
                    of: source.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self), toByteOffset: 16,
                    as: SIMD2<Float>.self)
            }
        } else {
            // Columns of A are contiguous (A was transposed): read down each column.
            for p in 0..<k {
                let source = a.base + p * a.columnStride + panelStart * a.rowStride
                for r in 0..<rows { panel[p * mr + r] = source[r * a.rowStride] }
            }
        }
    }
}

/// Writes the six rows `source[r * rowStride ..< r * rowStride + k]` (r < 6) into a packed A
/// panel: for each p, the six values of step p side by side.
@inline(__always)
private func interleaveSixRows(
    _ source: UnsafePointer<Float>, rowStride: Int, k: Int, into panel: UnsafeMutablePointer<Float>
) {
    var p = 0
    while p + 8 <= k {
        let block = source + p
        var (r0, r1, r2) = (
            eightValues(block, row: 0, rowStride), eightValues(block, row: 1, rowStride),
            eightValues(block, row: 2, rowStride)
        )
        var (r3, r4, r5) = (
            eightValues(block, row: 3, rowStride), eightValues(block, row: 4, rowStride),
            eightValues(block, row: 5, rowStride)
        )
        var (r6, r7) = (SIMD8<Float>(), SIMD8<Float>())
        transposeInRegisters(&r0, &r1, &r2, &r3, &r4, &r5, &r6, &r7)
        // Step p + j's six values are lanes 0-5 of r_j. Each vector is stored whole, 24 bytes after
        // the previous one, so its two zero lanes are overwritten by the next store; the last is
        // stored as 4 + 2 lanes so that nothing is written past step p + 7.
        let out = UnsafeMutableRawPointer(panel + p * 6)
        out.storeBytes(of: r0, as: SIMD8<Float>.self)
        out.storeBytes(of: r1, toByteOffset: 24, as: SIMD8<Float>.self)
        out.storeBytes(of: r2, toByteOffset: 48, as: SIMD8<Float>.self)
        out.storeBytes(of: r3, toByteOffset: 72, as: SIMD8<Float>.self)
        out.storeBytes(of: r4, toByteOffset: 96, as: SIMD8<Float>.self)
        out.storeBytes(of: r5, toByteOffset: 120, as: SIMD8<Float>.self)
        out.storeBytes(of: r6, toByteOffset: 144, as: SIMD8<Float>.self)
        out.storeBytes(of: r7.lowHalf, toByteOffset: 168, as: SIMD4<Float>.self)
        out.storeBytes(of: SIMD2(r7[4], r7[5]), toByteOffset: 184, as: SIMD2<Float>.self)
        p += 8
    }
    for q in p..<k {
        for r in 0..<6 { panel[q * 6 + r] = source[r * rowStride + q] }
    }
}

/// Copies the k x n block `b` into nr-column micro-panels (16 columns, or 32 in an AVX-512 build):
/// panel j holds, for each p in 0..<k, the values b[p, nr j ..< nr (j+1)], zero-padded past n.
func packB(_ b: StridedMatrix, k: Int, n: Int, into destination: UnsafeMutablePointer<Float>) {
    let nr = PackedGEMMBlocking.nr
    if b.columnStride == 1 {
        packContiguousRows(b, k: k, n: n, into: destination)
        return
    }
    for panelStart in stride(from: 0, to: n, by: nr) {
        let panel = destination + panelStart * k
        let columns = Swift.min(nr, n - panelStart)
        if b.rowStride == 1 && columns == nr {
            // B was transposed: each column is contiguous along k. Load 8 values of each of 8
            // columns, transpose the 8x8 block in registers, and store 8 rows of the panel.
            var p = 0
            while p + 8 <= k {
                for block in 0..<(nr / 8) {
                    let source = b.base + (panelStart + 8 * block) * b.columnStride + p
                    transpose8x8(source, stride: b.columnStride, into: panel + p * nr + 8 * block, targetStride: nr)
                }
                p += 8
            }
            for q in p..<k {
                for j in 0..<nr { panel[q * nr + j] = b.base[(panelStart + j) * b.columnStride + q] }
            }
        } else {
            // A transposed edge panel, or a general strided B: walk each column down k.
            for j in 0..<columns {
                let source = b.base + (panelStart + j) * b.columnStride
                for p in 0..<k { panel[p * nr + j] = source[p * b.rowStride] }
            }
            if columns < nr {
                for p in 0..<k {
                    (panel + p * nr + columns).update(repeating: 0, count: nr - columns)
                }
            }
        }
    }
}

/// `packB` for a B whose rows are contiguous: eight rows at a time, each read along the block's
/// whole width, their pieces written to every panel in turn. Panel by panel, the copy read one
/// 64-byte piece from each of k rows, rows that are 8 KB apart in a 2048-wide B, and the
/// prefetcher does not follow such a stride; eight rows read end to end are eight sequential
/// streams (2048^3's B packed in 1.8 ms instead of 2.9).
private func packContiguousRows(_ b: StridedMatrix, k: Int, n: Int, into destination: UnsafeMutablePointer<Float>) {
    let nr = PackedGEMMBlocking.nr
    let wholeColumns = n / nr * nr
    for firstRow in stride(from: 0, to: k, by: 8) {
        let rows = Swift.min(8, k - firstRow)
        for panelStart in stride(from: 0, to: wholeColumns, by: nr) {
            var source = UnsafeRawPointer(b.base + firstRow * b.rowStride + panelStart)
            var target = UnsafeMutableRawPointer(destination + panelStart * k + firstRow * nr)
            for _ in 0..<rows {
                // A few vector moves; a memmove call per 64 bytes would cost more than the copy.
                for offset in stride(from: 0, to: 4 * nr, by: 32) {
                    target.storeBytes(
                        of: source.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), toByteOffset: offset,
                        as: SIMD8<Float>.self)
                }
                source += 4 * b.rowStride
                target += 4 * nr
            }
        }
    }
    // The last panel, narrower than nr: its columns, then zeros.
    let columns = n - wholeColumns
    guard columns > 0 else { return }
    let panel = destination + wholeColumns * k
    for p in 0..<k {
        let target = panel + p * nr
        target.update(from: b.base + p * b.rowStride + wholeColumns, count: columns)
        (target + columns).update(repeating: 0, count: nr - columns)
    }
}

/// C[0..<rows, 0..<columns] = alpha * (A panel * B panel) + beta * C, for one 6x16 tile.
///
/// The twelve accumulators are spelled out one by one, not kept in an array, so the compiler keeps
/// every one of them in a register for the whole loop. The function is never inlined: compiled on
/// its own, the loop has the whole register file to itself (inlined into the blocking loops, whose
/// counters and pointers compete for the same registers, it spilled row pointers to the stack and
/// ran 10-15% slower).
///
/// ## Shape
/// A panel: 6 x k (`APanel`), B panel: k x 16 packed by `packB`, C tile: rows x columns (at most 6 x 16).
@inline(never)
func microKernel6x16(
    k: Int, a: APanel, b: UnsafePointer<Float>, c: OutputMatrix,
    rows: Int, columns: Int, alpha: Float, beta: Float
) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    // Row r of the panel starts r * rowStride floats after row 0.
    let (s1, s2, s3, s4, s5) = (a.rowStride, 2 * a.rowStride, 3 * a.rowStride, 4 * a.rowStride, 5 * a.rowStride)
    var pa = a.base
    var pb = UnsafeRawPointer(b)
    for _ in 0..<k {
        let b0 = pb.loadUnaligned(as: SIMD8<Float>.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        var broadcast = SIMD8<Float>(repeating: pa[0])
        c00 = c00.addingProduct(broadcast, b0)
        c01 = c01.addingProduct(broadcast, b1)
        broadcast = SIMD8<Float>(repeating: pa[s1])
        c10 = c10.addingProduct(broadcast, b0)
        c11 = c11.addingProduct(broadcast, b1)
        broadcast = SIMD8<Float>(repeating: pa[s2])
        c20 = c20.addingProduct(broadcast, b0)
        c21 = c21.addingProduct(broadcast, b1)
        broadcast = SIMD8<Float>(repeating: pa[s3])
        c30 = c30.addingProduct(broadcast, b0)
        c31 = c31.addingProduct(broadcast, b1)
        broadcast = SIMD8<Float>(repeating: pa[s4])
        c40 = c40.addingProduct(broadcast, b0)
        c41 = c41.addingProduct(broadcast, b1)
        broadcast = SIMD8<Float>(repeating: pa[s5])
        c50 = c50.addingProduct(broadcast, b0)
        c51 = c51.addingProduct(broadcast, b1)
        pa += a.step
        pb += 64
    }

    if rows == 6 && columns == 16 {
        let ldc = c.rowStride
        storeRow(c.base, c00, c01, alpha: alpha, beta: beta)
        storeRow(c.base + ldc, c10, c11, alpha: alpha, beta: beta)
        storeRow(c.base + 2 * ldc, c20, c21, alpha: alpha, beta: beta)
        storeRow(c.base + 3 * ldc, c30, c31, alpha: alpha, beta: beta)
        storeRow(c.base + 4 * ldc, c40, c41, alpha: alpha, beta: beta)
        storeRow(c.base + 5 * ldc, c50, c51, alpha: alpha, beta: beta)
        return
    }
    // An edge tile: spill the accumulators, then write only the part inside C.
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 12) { tile in
        tile[0] = c00
        tile[1] = c01
        tile[2] = c10
        tile[3] = c11
        tile[4] = c20
        tile[5] = c21
        tile[6] = c30
        tile[7] = c31
        tile[8] = c40
        tile[9] = c41
        tile[10] = c50
        tile[11] = c51
        if columns == 16 {
            // Whole rows (the last, short panel of an m that is not a multiple of 6): vector stores.
            for r in 0..<rows {
                storeRow(c.base + r * c.rowStride, tile[2 * r], tile[2 * r + 1], alpha: alpha, beta: beta)
            }
            return
        }
        let values = UnsafeRawPointer(tile.baseAddress!).assumingMemoryBound(to: Float.self)
        for r in 0..<rows {
            let target = c.base + r * c.rowStride
            for j in 0..<columns {
                let product = alpha * values[r * 16 + j]
                target[j] = beta == 0 ? product : product + beta * target[j]
            }
        }
    }
}

/// Where the micro-kernel finds the six rows of its A panel: row r, step p is
/// `base[r * rowStride + p * step]`. A packed panel interleaves the rows (rowStride 1, step 6); an
/// unpacked one points into A itself (rowStride = A's row length, step 1).
struct APanel {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let step: Int

    /// A panel packed by `packA`.
    init(packed panel: UnsafePointer<Float>) {
        (base, rowStride, step) = (panel, 1, PackedGEMMBlocking.mr)
    }

    /// Six whole rows read in place from a matrix whose rows are contiguous.
    init(rowsOf a: StridedMatrix) {
        (base, rowStride, step) = (a.base, a.rowStride, 1)
    }
}

/// Writes 16 values of one C row: alpha * acc + beta * C (C unread when beta is 0).
@inline(__always)
private func storeRow(
    _ target: UnsafeMutablePointer<Float>, _ low: SIMD8<Float>, _ high: SIMD8<Float>,
    alpha: Float, beta: Float
) {
    let raw = UnsafeMutableRawPointer(target)
    var first = low * alpha
    var second = high * alpha
    if beta != 0 {
        first = first.addingProduct(beta, raw.loadUnaligned(as: SIMD8<Float>.self))
        second = second.addingProduct(beta, raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
    }
    raw.storeBytes(of: first, as: SIMD8<Float>.self)
    raw.storeBytes(of: second, toByteOffset: 32, as: SIMD8<Float>.self)
}
