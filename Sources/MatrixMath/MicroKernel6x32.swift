#if KINDLING_AVX512
/// The register tile of an AVX-512 build: C[0..<rows, 0..<columns] = alpha * (A panel * B panel)
/// + beta * C for one 6x32 block, held in 12 `SIMD16<Float>` accumulators (zmm registers).
///
/// The same loop as `microKernel6x16`, twice as wide: each step loads 32 values of one row of B
/// (two 512-bit vectors), broadcasts 6 values of one column of A and issues 12 FMAs of 16 lanes,
/// 384 multiply-adds for 8 loads, twice the 6x16 tile's work per load. AVX-512 has 32 vector
/// registers; 12 accumulators, 2 B vectors and a broadcast leave room, and 12 independent chains
/// cover the FMA latency of cores with two 512-bit units (Intel) and of Zen 4, which runs each
/// 512-bit FMA as two 256-bit halves. Keeping six rows lets the tile read A in place exactly as
/// the 6x16 tile does (`APanel`). Never inlined, for the reason `microKernel6x16` gives.
///
/// ## Shape
/// A panel: 6 x k (packed or read in place, `APanel`), B panel: k x 32 packed by `packB`, C tile: rows x columns (at most 6 x 32).
@inline(never)
func microKernel6x32(
    k: Int, a: APanel, b: UnsafePointer<Float>, c: OutputMatrix,
    rows: Int, columns: Int, alpha: Float, beta: Float
) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    let (s1, s2, s3, s4, s5) = (a.rowStride, 2 * a.rowStride, 3 * a.rowStride, 4 * a.rowStride, 5 * a.rowStride)
    var pa = a.base
    var pb = UnsafeRawPointer(b)
    for _ in 0..<k {
        let b0 = pb.loadUnaligned(as: SIMD16<Float>.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        var broadcast = SIMD16<Float>(repeating: pa[0])
        c00 = c00.addingProduct(broadcast, b0)
        c01 = c01.addingProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: pa[s1])
        c10 = c10.addingProduct(broadcast, b0)
        c11 = c11.addingProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: pa[s2])
        c20 = c20.addingProduct(broadcast, b0)
        c21 = c21.addingProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: pa[s3])
        c30 = c30.addingProduct(broadcast, b0)
        c31 = c31.addingProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: pa[s4])
        c40 = c40.addingProduct(broadcast, b0)
        c41 = c41.addingProduct(broadcast, b1)
        broadcast = SIMD16<Float>(repeating: pa[s5])
        c50 = c50.addingProduct(broadcast, b0)
        c51 = c51.addingProduct(broadcast, b1)
        pa += a.step
        pb += 128
    }

    if rows == 6 && columns == 32 {
        let ldc = c.rowStride
        storeRow32(c.base, c00, c01, alpha: alpha, beta: beta)
        storeRow32(c.base + ldc, c10, c11, alpha: alpha, beta: beta)
        storeRow32(c.base + 2 * ldc, c20, c21, alpha: alpha, beta: beta)
        storeRow32(c.base + 3 * ldc, c30, c31, alpha: alpha, beta: beta)
        storeRow32(c.base + 4 * ldc, c40, c41, alpha: alpha, beta: beta)
        storeRow32(c.base + 5 * ldc, c50, c51, alpha: alpha, beta: beta)
        return
    }
    // An edge tile: spill the accumulators, then write only the part inside C.
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 12) { tile in
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
        if columns == 32 {
            // Whole rows (the last, short panel of an m that is not a multiple of 6): vector stores.
            for r in 0..<rows {
                storeRow32(c.base + r * c.rowStride, tile[2 * r], tile[2 * r + 1], alpha: alpha, beta: beta)
            }
            return
        }
        let values = UnsafeRawPointer(tile.baseAddress!).assumingMemoryBound(to: Float.self)
        for r in 0..<rows {
            let target = c.base + r * c.rowStride
            for j in 0..<columns {
                let product = alpha * values[r * 32 + j]
                target[j] = beta == 0 ? product : product + beta * target[j]
            }
        }
    }
}

/// Writes 32 values of one C row: alpha * acc + beta * C (C unread when beta is 0).
@inline(__always)
private func storeRow32(
    _ target: UnsafeMutablePointer<Float>, _ low: SIMD16<Float>, _ high: SIMD16<Float>,
    alpha: Float, beta: Float
) {
    let raw = UnsafeMutableRawPointer(target)
    var first = low * alpha
    var second = high * alpha
    if beta != 0 {
        first = first.addingProduct(beta, raw.loadUnaligned(as: SIMD16<Float>.self))
        second = second.addingProduct(beta, raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
    }
    raw.storeBytes(of: first, as: SIMD16<Float>.self)
    raw.storeBytes(of: second, toByteOffset: 64, as: SIMD16<Float>.self)
}
#endif
