import Parallel

/// Winograd's F(4x4, 3x3): each 4x4 block of outputs from a 6x6 input tile with 36
/// multiplications per channel pair, against the 64 that F(2x2, 3x3) spends on the same block (four
/// 2x2 tiles) and the 144 of the direct sum.
///
/// **Where the matrices come from.** F(2, 3) evaluates at 0, 1, -1 and infinity; F(4, 3) takes
/// two more points, 2 and -2. The one-dimensional rule is again y = A^T [(G g) * (B^T d)], now
/// with 6 values of d giving 4 outputs:
///
///     B^T = | 4  0 -5  0  1  0 |    G = |  1/4     0     0   |    A^T = | 1  1  1  1  1  0 |
///           | 0 -4 -4  1  1  0 |        | -1/6  -1/6  -1/6  |          | 0  1 -1  2 -2  0 |
///           | 0  4 -4 -1  1  0 |        | -1/6   1/6  -1/6  |          | 0  1  1  4  4  0 |
///           | 0 -2 -1  2  1  0 |        |  1/24  1/12  1/6  |          | 0  1 -1  8 -8  1 |
///           | 0  2 -1 -2  1  0 |        |  1/24 -1/12  1/6  |
///           | 0  4  0 -5  0  1 |        |  0     0     1    |
///
/// and nested in both directions, Y (4x4) = A^T [U * V] A with U = G g G^T and V = B^T d B (6x6).
/// The 36 positions of the 6x6 are again 36 products M_xi [OC, T] = U_xi [OC, C] V_xi [C, T]
/// (see `WinogradConvolution`); the backward pass goes through the same matrices transposed.
///
/// **The price.** The larger constants (up to 8 in A^T, 5 in B^T) make rounding errors a few times
/// those of F(2x2, 3x3) (a float32 model of one 4x4 block over 32 channels: about 3e-6 of the
/// largest output, against 1e-4 allowed by the tests). And a tile is 4 outputs wide, so a row of
/// outputs narrower than 20 fills fewer than 5 of a vector's 8 lanes with whole tiles: those planes
/// keep F(2x2, 3x3) (`WinogradConvolution.prefersLargeTiles`).
///
/// **Vectors of tiles.** As for F(2x2, 3x3), eight neighbouring tiles of a row go through the
/// transforms at once, one per lane. Their columns are 4 apart, so a plane is first *split*: each
/// row becomes four rows, of columns 0, 4, 8, ..., of columns 1, 5, 9, ..., and so on
/// (`splitColumns`). Column j of eight tiles is then one plain load from split row j, and columns 4
/// and 5 are split rows 0 and 1 one tile on. Results are written the same way round, into split
/// rows merged back into plane rows afterwards (`storeMerged`, and the input gradient's merge). The
/// shuffles that split and merge are a pass of their own: mixed into the transforms' arithmetic,
/// they made the compiler turn the whole transform into one scalar operation per lane (measured:
/// the forward transforms took 58% of the convolution's time that way).
extension WinogradConvolution {
    // MARK: Filters

    /// U [36, OC, C] from the weight [OC, C, 3, 3]: U = G g G^T for every filter and channel.
    func transformedFilters4x4(_ weight: [Float]) -> [Float] {
        let pairs = outputChannels * channels
        return [Float](uninitializedCount: filtersSize) { u in
            weight.withUnsafeBufferPointer { w in
                guard let weights = w.baseAddress else { return }
                for pair in 0..<pairs {
                    let g = weights + pair * 9
                    // G g: the filter's rows as vectors (a lane per column), combined into 6 rows.
                    let r = Self.expandG(
                        SIMD4(g[0], g[1], g[2], 0), SIMD4(g[3], g[4], g[5], 0), SIMD4(g[6], g[7], g[8], 0))
                    // (G g) G^T: G along each row, the 6 rows side by side in the lanes.
                    func column(_ j: Int) -> SIMD8<Float> {
                        SIMD8(r.0[j], r.1[j], r.2[j], r.3[j], r.4[j], r.5[j], 0, 0)
                    }
                    let u6 = Self.expandG(column(0), column(1), column(2))
                    // Entry (i, k) of the 6x6 is lane i of the k-th vector, at position 6 i + k.
                    for i in 0..<6 {
                        let at = u + (i * 6) * pairs + pair
                        (at[0], at[pairs], at[2 * pairs]) = (u6.0[i], u6.1[i], u6.2[i])
                        (at[3 * pairs], at[4 * pairs], at[5 * pairs]) = (u6.3[i], u6.4[i], u6.5[i])
                    }
                }
            }
        }
    }

    /// G applied to 3 values (or to 3 vectors of them, entry by entry): 6 values.
    @inline(__always)
    static func expandG<V: SIMD>(_ g0: V, _ g1: V, _ g2: V) -> (V, V, V, V, V, V) where V.Scalar == Float {
        let outer = g0 + g2, quarter = g0 * (1 / 24) + g2 * (1 / 6)
        return (
            g0 * 0.25, (outer + g1) * (-1 / 6), (outer - g1) * (-1 / 6), quarter + g1 * (1 / 12),
            quarter - g1 * (1 / 12), g2
        )
    }

    /// G^T applied to 6 values: 3 values.
    @inline(__always)
    static func reduceG(_ w: (Float, Float, Float, Float, Float, Float)) -> (Float, Float, Float) {
        let (w0, w1, w2, w3, w4, w5) = w
        let (sum, difference) = (w1 + w2, w2 - w1)
        let (outerSum, outerDifference) = (w3 + w4, w3 - w4)
        return (
            w0 * 0.25 - sum * (1 / 6) + outerSum * (1 / 24), difference * (1 / 6) + outerDifference * (1 / 12),
            (outerSum - sum) * (1 / 6) + w5
        )
    }

    /// dW [OC, C, 3, 3] from dU [36, OC, C]: dW = G^T dU G for every filter and channel.
    func weightFromTransformed4x4(_ du: [Float]) -> [Float] {
        let pairs = outputChannels * channels
        return [Float](uninitializedCount: pairs * 9) { dw in
            du.withUnsafeBufferPointer { buffer in
                guard let du = buffer.baseAddress else { return }
                for pair in 0..<pairs {
                    // Rows first: each row of 6 becomes 3; then each column of 6 becomes 3.
                    func row(_ r: Int) -> (Float, Float, Float) {
                        let at = du + r * 6 * pairs + pair
                        return Self.reduceG(
                            (at[0], at[pairs], at[2 * pairs], at[3 * pairs], at[4 * pairs], at[5 * pairs]))
                    }
                    let (r0, r1, r2, r3, r4, r5) = (row(0), row(1), row(2), row(3), row(4), row(5))
                    let target = dw + pair * 9
                    (target[0], target[3], target[6]) = Self.reduceG((r0.0, r1.0, r2.0, r3.0, r4.0, r5.0))
                    (target[1], target[4], target[7]) = Self.reduceG((r0.1, r1.1, r2.1, r3.1, r4.1, r5.1))
                    (target[2], target[5], target[8]) = Self.reduceG((r0.2, r1.2, r2.2, r3.2, r4.2, r5.2))
                }
            }
        }
    }

    // MARK: Split rows

    /// Tiles in a split row (`splitColumns`): every tile of the plane, the one past the last
    /// (columns 4 and 5 of the last tile), and room for a last whole vector.
    var splitTiles: Int { roundUpToLanes(tileColumns) + 8 }

    /// Splits `rows` plane rows (`width` = 4 `splitTiles` floats apart) into `split`: row y becomes
    /// four rows of `splitTiles` values, split row j holding columns j, j + 4, j + 8, ..., so that
    /// column j of tile t is at split + y * width + j * splitTiles + t. `vectors` vectors of eight
    /// tiles are split per row.
    func splitColumns(
        _ plane: UnsafePointer<Float>, into split: UnsafeMutablePointer<Float>, rows: Int, vectors: Int
    ) {
        let (width, tiles) = (4 * splitTiles, splitTiles)
        for y in 0..<rows {
            for vector in 0..<vectors {
                let source = plane + y * width + 32 * vector, target = split + y * width + 8 * vector
                let (c0, c1, c2, c3) = Self.fourColumns(Self.load16(source), Self.load16(source + 16))
                store(c0, target)
                store(c1, target + tiles)
                store(c2, target + 2 * tiles)
                store(c3, target + 3 * tiles)
            }
        }
    }

    /// Values j, j + 4, j + 8, ... of the 32 in `low` and `high`, for j = 0, 1, 2, 3: column j of
    /// eight tiles 4 columns apart. Two rounds of `unshuffle` (SIMD32's own operations are not
    /// vectorised by the compiler, so 32 values go as two halves).
    @inline(__always)
    static func fourColumns(_ low: SIMD16<Float>, _ high: SIMD16<Float>) -> (Lanes, Lanes, Lanes, Lanes) {
        let (evens, odds) = unshuffle(low, high)
        return (evens.evenHalf, odds.evenHalf, evens.oddHalf, odds.oddHalf)
    }

    /// The 32 values of `low` and `high` with the even-numbered ones first: (0, 2, ..., 30) and (1,
    /// 3, ..., 31). Applied twice it sorts values 4 apart together (`fourColumns`); three times,
    /// four vectors side by side become interleaved (`interleave`).
    @inline(__always)
    static func unshuffle(_ low: SIMD16<Float>, _ high: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        (SIMD16(lowHalf: low.evenHalf, highHalf: high.evenHalf), SIMD16(lowHalf: low.oddHalf, highHalf: high.oddHalf))
    }

    /// Four vectors of eight interleaved: y0[0], y1[0], y2[0], y3[0], y0[1], ... (columns 0-3 of
    /// eight tiles side by side), the first 16 values and the last 16.
    @inline(__always)
    static func interleave(_ y0: Lanes, _ y1: Lanes, _ y2: Lanes, _ y3: Lanes) -> (SIMD16<Float>, SIMD16<Float>) {
        var values = (SIMD16(lowHalf: y0, highHalf: y1), SIMD16(lowHalf: y2, highHalf: y3))
        for _ in 0..<3 { values = unshuffle(values.0, values.1) }
        return values
    }

    @inline(__always)
    static func load16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store16(_ value: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<Float>.self)
    }

    typealias Six = (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)

    /// `value` in every lane. The transforms multiply by vectors of constants: with a scalar
    /// operand, `addingProduct` compiled to one scalar FMA per lane.
    @inline(__always)
    static func splat(_ value: Float) -> Lanes { Lanes(repeating: value) }

    // MARK: Forward

    /// V = B^T d B for every tile and channel of one image, written to v [36, C, rowStride] at
    /// `column` (whole vectors of eight tiles, as `transformInput`). `padded` is this core's plane
    /// buffer: the padded plane, whose border is zero, then its split rows.
    func transformInput4x4(
        _ image: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>,
        column: Int
    ) {
        let (width, tiles, ld, step) = (planeWidth, splitTiles, rowStride, inputStep)
        let split = padded + planeWidth * planeHeight
        // Tiles 0 ..< tileColumns and the one after (its columns 0 and 1 are the last tile's 4 and
        // 5).
        let vectors = tileColumns / 8 + 1
        for channel in 0..<channels {
            copyIntoPadded(image + channel * geometry.inputPlane, padded)
            splitColumns(padded, into: split, rows: planeHeight, vectors: vectors)
            for ty in 0..<tileRows {
                var tx = 0
                while tx < tileColumns {
                    // d B along each of the tile's 6 rows, for 8 tiles at once: columns 0-3 from
                    // the four split rows, 4 and 5 from the first two one tile on.
                    let rows = split + 4 * ty * width + tx
                    @inline(__always)
                    func rowBT(_ r: Int) -> Six {
                        let at = rows + r * width
                        return Self.inputBT(
                            (
                                load(at), load(at + tiles), load(at + 2 * tiles), load(at + 3 * tiles), load(at + 1),
                                load(at + tiles + 1)
                            ))
                    }
                    let (r0, r1, r2, r3, r4, r5) = (rowBT(0), rowBT(1), rowBT(2), rowBT(3), rowBT(4), rowBT(5))
                    // B^T (d B) down each column j: position xi = 6 i + j of the 6x6 at row xi.
                    let target = v + channel * ld + column + ty * tileColumns + tx
                    storeColumn(Self.inputBT((r0.0, r1.0, r2.0, r3.0, r4.0, r5.0)), target, step)
                    storeColumn(Self.inputBT((r0.1, r1.1, r2.1, r3.1, r4.1, r5.1)), target + step, step)
                    storeColumn(Self.inputBT((r0.2, r1.2, r2.2, r3.2, r4.2, r5.2)), target + 2 * step, step)
                    storeColumn(Self.inputBT((r0.3, r1.3, r2.3, r3.3, r4.3, r5.3)), target + 3 * step, step)
                    storeColumn(Self.inputBT((r0.4, r1.4, r2.4, r3.4, r4.4, r5.4)), target + 4 * step, step)
                    storeColumn(Self.inputBT((r0.5, r1.5, r2.5, r3.5, r4.5, r5.5)), target + 5 * step, step)
                    tx += 8
                }
            }
        }
    }

    /// B^T applied to 6 values: (4 d0 - 5 d2 + d4, -4 d1 - 4 d2 + d3 + d4, 4 d1 - 4 d2 - d3 + d4,
    /// -2 d1 - d2 + 2 d3 + d4, 2 d1 - d2 - 2 d3 + d4, 4 d1 - 5 d3 + d5), with shared partial sums.
    @inline(__always)
    static func inputBT(_ d: Six) -> Six {
        let (d0, d1, d2, d3, d4, d5) = d
        let fours = d4.addingProduct(d2, splat(-4)), ones = d3.addingProduct(d1, splat(-4))
        let plain = d4 - d2, twos = (d3 - d1) * splat(2)
        return (
            d4.addingProduct(d0, splat(4)).addingProduct(d2, splat(-5)), fours + ones, fours - ones, plain + twos,
            plain - twos, d5.addingProduct(d1, splat(4)).addingProduct(d3, splat(-5))
        )
    }

    /// Stores the six values of one column of a 6x6 (positions j, j + 6, ..., each 6 * step apart).
    @inline(__always)
    func storeColumn(_ values: Six, _ target: UnsafeMutablePointer<Float>, _ step: Int) {
        store(values.0, target)
        store(values.1, target + 6 * step)
        store(values.2, target + 12 * step)
        store(values.3, target + 18 * step)
        store(values.4, target + 24 * step)
        store(values.5, target + 30 * step)
    }

    /// Y = A^T M A + bias for every tile and output channel of one image, from m [36, OC,
    /// rowStride] at `column`, written into the image's output [OC, oh, ow]. `padded` is this
    /// core's plane buffer; its split part holds a row of tiles' outputs before they are merged.
    func transformOutput4x4(
        _ m: UnsafePointer<Float>, column: Int, bias: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>,
        into output: UnsafeMutablePointer<Float>
    ) {
        let (oh, ow) = (geometry.outputHeight, geometry.outputWidth)
        let (ld, step, width, tiles) = (rowStride, outputStep, planeWidth, splitTiles)
        // Output row a of the tile row, column k of each tile: split row k of row a.
        let split = padded + planeWidth * planeHeight
        // With one vector of tiles per row, outputs are written in memory order, so a row's last
        // 32 values may overrun into outputs written after them (see `storeMerged`).
        let overrunEnd = tileColumns <= 8 ? output + outputSize : nil
        for o in 0..<outputChannels {
            let b = Lanes(repeating: bias[o])
            let plane = output + o * geometry.outputPlane
            for ty in 0..<tileRows {
                var tx = 0
                while tx < tileColumns {
                    // A^T along each row i of the 6x6 (positions 6i ..< 6i + 6): four values from
                    // six. Lanes past the last tile read the next tiles or the slack; they are not
                    // stored.
                    let source = m + o * ld + column + ty * tileColumns + tx
                    @inline(__always)
                    func rowAT(_ i: Int) -> (Lanes, Lanes, Lanes, Lanes) {
                        let at = source + 6 * i * step
                        return Self.outputAT(
                            (
                                load(at), load(at + step), load(at + 2 * step), load(at + 3 * step),
                                load(at + 4 * step),
                                load(at + 5 * step)
                            ))
                    }
                    let (r0, r1, r2, r3, r4, r5) = (rowAT(0), rowAT(1), rowAT(2), rowAT(3), rowAT(4), rowAT(5))
                    // A^T down each column k, the bias last, after the products (as the GEMM path).
                    let target = split + tx
                    @inline(__always)
                    func columnAT(_ values: Six, _ k: Int) {
                        let (y0, y1, y2, y3) = Self.outputAT(values)
                        store(y0 + b, target + k * tiles)
                        store(y1 + b, target + width + k * tiles)
                        store(y2 + b, target + 2 * width + k * tiles)
                        store(y3 + b, target + 3 * width + k * tiles)
                    }
                    columnAT((r0.0, r1.0, r2.0, r3.0, r4.0, r5.0), 0)
                    columnAT((r0.1, r1.1, r2.1, r3.1, r4.1, r5.1), 1)
                    columnAT((r0.2, r1.2, r2.2, r3.2, r4.2, r5.2), 2)
                    columnAT((r0.3, r1.3, r2.3, r3.3, r4.3, r5.3), 3)
                    tx += 8
                }
                for a in 0..<Swift.min(4, oh - 4 * ty) {
                    storeMerged(split + a * width, into: plane + (4 * ty + a) * ow, count: ow, overrunEnd)
                }
            }
        }
    }

    /// A^T applied to 6 values: (m0 + m1 + m2 + m3 + m4, m1 - m2 + 2 (m3 - m4),
    /// m1 + m2 + 4 (m3 + m4), m1 - m2 + 8 (m3 - m4) + m5).
    @inline(__always)
    static func outputAT(_ m: Six) -> (Lanes, Lanes, Lanes, Lanes) {
        let (m0, m1, m2, m3, m4, m5) = m
        let (near, nearDifference) = (m1 + m2, m1 - m2), (far, farDifference) = (m3 + m4, m3 - m4)
        return (
            m0 + near + far, nearDifference.addingProduct(farDifference, splat(2)), near.addingProduct(far, splat(4)),
            (nearDifference + m5).addingProduct(farDifference, splat(8))
        )
    }

    /// Merges one row's four split rows at `split` (columns 0-3 of each tile) into `count` plane
    /// values at `row`, 32 at a time. When the caller writes its outputs in memory order, values
    /// stored past `count` land on outputs written after them: given `overrunEnd` (the end of what
    /// this core writes), the last 32 go whole wherever they stay before it.
    @inline(__always)
    func storeMerged(
        _ split: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>, count: Int,
        _ overrunEnd: UnsafeMutablePointer<Float>?
    ) {
        let tiles = splitTiles
        var x = 0
        while x < count {
            let source = split + x / 4
            let (low, high) = Self.interleave(
                load(source), load(source + tiles), load(source + 2 * tiles), load(source + 3 * tiles))
            let target = row + x
            if x + 32 <= count || overrunEnd.map({ target + 32 <= $0 }) == true {
                Self.store16(low, target)
                Self.store16(high, target + 16)
            } else {
                for lane in 0..<(count - x) { target[lane] = lane < 16 ? low[lane] : high[lane - 16] }
            }
            x += 32
        }
    }

    // MARK: Backward

    /// dM = A dY A^T for every tile and output channel of one image's output gradient, written to
    /// dm [36, OC, rowStride] at `column` (as `transformGradient`). `padded` is this core's
    /// gradient plane buffer: the plane, whose values past the outputs' edge stay zero, then its
    /// split rows.
    func transformGradient4x4(
        _ gradient: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>, into dm: UnsafeMutablePointer<Float>,
        column: Int
    ) {
        let (oh, ow, width, tiles) = (geometry.outputHeight, geometry.outputWidth, gradientPlaneWidth, splitTiles)
        let (ld, step) = (rowStride, outputStep)
        let split = padded + gradientPlaneWidth * gradientPlaneHeight
        let vectors = (tileColumns + 7) / 8
        for o in 0..<outputChannels {
            for y in 0..<oh { Self.copy(gradient + (o * oh + y) * ow, to: padded + y * width, count: ow) }
            splitColumns(padded, into: split, rows: gradientPlaneHeight, vectors: vectors)
            for ty in 0..<tileRows {
                var tx = 0
                while tx < tileColumns {
                    // A along each of the tile's 4 rows: six values from four.
                    let rows = split + 4 * ty * width + tx
                    @inline(__always)
                    func rowA(_ a: Int) -> Six {
                        let at = rows + a * width
                        return Self.gradientA((load(at), load(at + tiles), load(at + 2 * tiles), load(at + 3 * tiles)))
                    }
                    let (h0, h1, h2, h3) = (rowA(0), rowA(1), rowA(2), rowA(3))
                    // A down each column j: position xi = 6 i + j.
                    let target = dm + o * ld + column + ty * tileColumns + tx
                    storeColumn(Self.gradientA((h0.0, h1.0, h2.0, h3.0)), target, step)
                    storeColumn(Self.gradientA((h0.1, h1.1, h2.1, h3.1)), target + step, step)
                    storeColumn(Self.gradientA((h0.2, h1.2, h2.2, h3.2)), target + 2 * step, step)
                    storeColumn(Self.gradientA((h0.3, h1.3, h2.3, h3.3)), target + 3 * step, step)
                    storeColumn(Self.gradientA((h0.4, h1.4, h2.4, h3.4)), target + 4 * step, step)
                    storeColumn(Self.gradientA((h0.5, h1.5, h2.5, h3.5)), target + 5 * step, step)
                    tx += 8
                }
            }
        }
    }

    /// A applied to 4 values: (y0, y0 + y1 + y2 + y3, y0 - y1 + y2 - y3, y0 + 2 y1 + 4 y2 + 8 y3,
    /// y0 - 2 y1 + 4 y2 - 8 y3, y3).
    @inline(__always)
    static func gradientA(_ y: (Lanes, Lanes, Lanes, Lanes)) -> Six {
        let (y0, y1, y2, y3) = y
        let (evens, odds) = (y0 + y2, y1 + y3)
        let scaledEvens = y0.addingProduct(y2, splat(4)), scaledOdds = (y1 * splat(2)).addingProduct(y3, splat(8))
        return (y0, evens + odds, evens - odds, scaledEvens + scaledOdds, scaledEvens - scaledOdds, y3)
    }

    /// The input gradient of one image from dv [36, C, rowStride] at `column`: B dV B^T for every
    /// tile, added onto the 6x6 block the tile was read from (neighbouring tiles overlap by two
    /// rows and columns), then the padding cut off. `padded` is a plane buffer of this core: the
    /// merged plane, then the split rows of the sums, then those of the overlapping columns.
    func transformInputGradient4x4(
        _ dv: UnsafePointer<Float>, column: Int, padded: UnsafeMutablePointer<Float>,
        into dx: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let (width, tiles, ld, step) = (planeWidth, splitTiles, rowStride, inputStep)
        let planeFloats = planeWidth * planeHeight
        // Columns 0-3 of every tile (split rows 0-3 of each plane row); columns 4 and 5 apart, in
        // split rows 0 and 1 of `overlaps` one tile on, where they meet the next tile's columns 0
        // and 1 (added to them when merging). Writing both into the same split rows would make each
        // vector's load wait for the previous vector's store to the same addresses.
        let (sums, overlaps) = (padded + planeFloats, padded + 2 * planeFloats)
        for channel in 0..<channels {
            sums.update(repeating: 0, count: 2 * planeFloats)
            for ty in 0..<tileRows {
                var tx = 0
                while tx < tileColumns {
                    // Lanes past the last tile would add other tiles' values: they are zeroed.
                    let missing = SIMD8<Int32>(repeating: Int32(tileColumns - tx)) .<= laneIndices
                    let source = dv + channel * ld + column + ty * tileColumns + tx
                    // B down each column j of the 6x6 (positions j, j + 6, ..., j + 30).
                    @inline(__always)
                    func columnB(_ j: Int) -> Six {
                        let at = source + j * step
                        @inline(__always)
                        func value(_ i: Int) -> Lanes { load(at + 6 * i * step).replacing(with: 0, where: missing) }
                        return Self.inputGradientB((value(0), value(1), value(2), value(3), value(4), value(5)))
                    }
                    let (k0, k1, k2, k3, k4, k5) = (
                        columnB(0), columnB(1), columnB(2), columnB(3), columnB(4), columnB(5)
                    )
                    // B along each row r, added onto plane row 4ty + r.
                    @inline(__always)
                    func rowB(_ values: Six, _ r: Int) {
                        let (w0, w1, w2, w3, w4, w5) = Self.inputGradientB(values)
                        let at = (4 * ty + r) * width + tx
                        Self.add(w0, sums + at)
                        Self.add(w1, sums + at + tiles)
                        Self.add(w2, sums + at + 2 * tiles)
                        Self.add(w3, sums + at + 3 * tiles)
                        Self.add(w4, overlaps + at + 1)
                        Self.add(w5, overlaps + at + tiles + 1)
                    }
                    rowB((k0.0, k1.0, k2.0, k3.0, k4.0, k5.0), 0)
                    rowB((k0.1, k1.1, k2.1, k3.1, k4.1, k5.1), 1)
                    rowB((k0.2, k1.2, k2.2, k3.2, k4.2, k5.2), 2)
                    rowB((k0.3, k1.3, k2.3, k3.3, k4.3, k5.3), 3)
                    rowB((k0.4, k1.4, k2.4, k3.4, k4.4, k5.4), 4)
                    rowB((k0.5, k1.5, k2.5, k3.5, k4.5, k5.5), 5)
                    tx += 8
                }
            }
            // Merge the rows the input covers: sums plus overlaps, interleaved into plane rows.
            for y in g.paddingHeight..<(g.paddingHeight + g.inputHeight) {
                var x = 0
                while x < g.paddingWidth + g.inputWidth {
                    let (s, e) = (sums + y * width + x / 4, overlaps + y * width + x / 4)
                    let (low, high) = Self.interleave(
                        load(s) + load(e), load(s + tiles) + load(e + tiles), load(s + 2 * tiles), load(s + 3 * tiles))
                    Self.store16(low, padded + y * width + x)
                    Self.store16(high, padded + y * width + x + 16)
                    x += 32
                }
            }
            copyOutOfPadded(padded, dx + channel * g.inputPlane)
        }
    }

    /// B applied to 6 values: (4 w0, -4 (w1 - w2) - 2 (w3 - w4) + 4 w5,
    /// -5 w0 - 4 (w1 + w2) - (w3 + w4), (w1 - w2) + 2 (w3 - w4) - 5 w5, w0 + w1 + w2 + w3 + w4, w5).
    @inline(__always)
    static func inputGradientB(_ w: Six) -> Six {
        let (w0, w1, w2, w3, w4, w5) = w
        let (nearDifference, farDifference) = (w1 - w2, w3 - w4), (near, far) = (w1 + w2, w3 + w4)
        return (
            w0 * splat(4), ((w5 - nearDifference) * splat(4)).addingProduct(farDifference, splat(-2)),
            (Lanes() - far).addingProduct(w0, splat(-5)).addingProduct(near, splat(-4)),
            nearDifference.addingProduct(farDifference, splat(2)).addingProduct(w5, splat(-5)), w0 + near + far, w5
        )
    }

    @inline(__always)
    static func add(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: load(pointer) + value, as: Lanes.self)
    }
}
