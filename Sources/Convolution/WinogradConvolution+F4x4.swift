import MatrixMath
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
/// largest output, against 1e-4 allowed by the tests).
///
/// **Eight images in a vector.** F(2x2) puts eight tiles of a row in a vector's lanes; with tiles 4
/// columns apart that would take shuffles, and a row of 11 outputs (`convnet`'s conv2) has only 3
/// tiles of 4 to fill 8 lanes. Here lane i holds image i of eight, all at the same tile, so every
/// plane size fills every lane. The columns of V and M are ordered tile by tile (column
/// t * stride + i for tile t of image i, `stride` the group's images rounded up to 8): the eight
/// lanes are still eight neighbouring columns, and the GEMMs do not care about the order. The
/// planes are first staged with their values interleaved, value x of image i at 8 x + i
/// (`interleaveImages`, an 8x8 transpose per eight values of a row), so that each value of a 6x6
/// tile is one plain load for eight images; results go back the same way
/// (`deinterleaveImages`). Lanes past the batch's last image read zeros, so their columns of V
/// and dM are zero and add nothing to the weight gradient; their outputs are not stored.
///
/// Measured on one core against F(2x2), ms per batch, forward / backward: `convnet`'s conv2
/// 4.7 / 10-10.6 -> 2.9 / 5.8, `pytorch-example`'s 9 / 20-21 -> 5.7-6.1 / 11.5-12.2. A first
/// version with eight tiles of a row in the lanes (rows split into columns 0, 4, 8, ... in a pass
/// of their own, for `pytorch-example` only) reached 7.9 / 15: more of its time went to the
/// shuffles, and mixed into the arithmetic they made the compiler turn the whole transform into
/// one scalar operation per lane.
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

    // MARK: The one-dimensional transforms

    typealias Six = (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)

    /// `value` in every lane. The transforms multiply by vectors of constants: with a scalar
    /// operand, `addingProduct` compiled to one scalar FMA per lane.
    @inline(__always)
    static func splat(_ value: Float) -> Lanes { Lanes(repeating: value) }

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

    /// A applied to 4 values: (y0, y0 + y1 + y2 + y3, y0 - y1 + y2 - y3, y0 + 2 y1 + 4 y2 + 8 y3,
    /// y0 - 2 y1 + 4 y2 - 8 y3, y3).
    @inline(__always)
    static func gradientA(_ y: (Lanes, Lanes, Lanes, Lanes)) -> Six {
        let (y0, y1, y2, y3) = y
        let (evens, odds) = (y0 + y2, y1 + y3)
        let scaledEvens = y0.addingProduct(y2, splat(4)), scaledOdds = (y1 * splat(2)).addingProduct(y3, splat(8))
        return (y0, evens + odds, evens - odds, scaledEvens + scaledOdds, scaledEvens - scaledOdds, y3)
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

    /// Width of a staged plane, in pixels (each 8 floats): the padded input and the tiles hanging
    /// over its edge.
    var stagedWidth: Int { 4 * tileColumns + 2 }
    /// Floats of a staged input plane (`planeHeight` rows), and of a staged output or output-gradient
    /// plane (4 rows and 4 columns per tile).
    var stagedPlaneSize: Int { 8 * stagedWidth * planeHeight }
    var stagedOutputSize: Int { 8 * 4 * tileColumns * 4 * tileRows }

    /// Interleaves `length` values of one row of `count` (<= 8) images, `imageStride` apart from
    /// `source`: target[8 x + i] = image i's value x, 0 for i >= count.
    @inline(__always)
    static func interleaveImages(
        _ source: UnsafePointer<Float>, imageStride: Int, count: Int, length: Int,
        into target: UnsafeMutablePointer<Float>
    ) {
        guard length >= 8 else {
            for x in 0..<length {
                for i in 0..<8 { target[8 * x + i] = i < count ? source[i * imageStride + x] : 0 }
            }
            return
        }
        @inline(__always)
        func row(_ i: Int, _ x: Int) -> Lanes { i < count ? load(source + i * imageStride + x) : Lanes() }
        var start = 0
        while start < length {
            // The last eight values end at the row's end (overlapping the ones before).
            let x = Swift.min(start, length - 8)
            var (r0, r1, r2, r3) = (row(0, x), row(1, x), row(2, x), row(3, x))
            var (r4, r5, r6, r7) = (row(4, x), row(5, x), row(6, x), row(7, x))
            transposeInRegisters(&r0, &r1, &r2, &r3, &r4, &r5, &r6, &r7)
            let at = target + 8 * x
            Self.store8(r0, r1, r2, r3, r4, r5, r6, r7, at)
            start += 8
        }
    }

    /// The inverse of `interleaveImages`: image i's value x = source[8 x + i], for the first
    /// `count` images, `imageStride` apart from `target`.
    @inline(__always)
    static func deinterleaveImages(
        _ source: UnsafePointer<Float>, length: Int, into target: UnsafeMutablePointer<Float>, imageStride: Int,
        count: Int
    ) {
        guard length >= 8 else {
            for x in 0..<length {
                for i in 0..<count { target[i * imageStride + x] = source[8 * x + i] }
            }
            return
        }
        var start = 0
        while start < length {
            let x = Swift.min(start, length - 8)
            let at = source + 8 * x
            var (r0, r1, r2, r3) = (load(at), load(at + 8), load(at + 16), load(at + 24))
            var (r4, r5, r6, r7) = (load(at + 32), load(at + 40), load(at + 48), load(at + 56))
            transposeInRegisters(&r0, &r1, &r2, &r3, &r4, &r5, &r6, &r7)
            @inline(__always)
            func put(_ values: Lanes, _ i: Int) {
                if i < count {
                    UnsafeMutableRawPointer(target + i * imageStride + x).storeBytes(of: values, as: Lanes.self)
                }
            }
            put(r0, 0)
            put(r1, 1)
            put(r2, 2)
            put(r3, 3)
            put(r4, 4)
            put(r5, 5)
            put(r6, 6)
            put(r7, 7)
            start += 8
        }
    }

    @inline(__always)
    static func store8(
        _ r0: Lanes, _ r1: Lanes, _ r2: Lanes, _ r3: Lanes, _ r4: Lanes, _ r5: Lanes, _ r6: Lanes, _ r7: Lanes,
        _ target: UnsafeMutablePointer<Float>
    ) {
        let raw = UnsafeMutableRawPointer(target)
        raw.storeBytes(of: r0, as: Lanes.self)
        raw.storeBytes(of: r1, toByteOffset: 32, as: Lanes.self)
        raw.storeBytes(of: r2, toByteOffset: 64, as: Lanes.self)
        raw.storeBytes(of: r3, toByteOffset: 96, as: Lanes.self)
        raw.storeBytes(of: r4, toByteOffset: 128, as: Lanes.self)
        raw.storeBytes(of: r5, toByteOffset: 160, as: Lanes.self)
        raw.storeBytes(of: r6, toByteOffset: 192, as: Lanes.self)
        raw.storeBytes(of: r7, toByteOffset: 224, as: Lanes.self)
    }

    // MARK: Forward

    /// V = B^T d B for every tile and channel of `count` (<= 8) images from `images`, written to
    /// v [36, C, rowStride] at columns t * stride + column + i. `staged` is this core's staged
    /// plane, whose border is zero.
    func transformInput4x4(
        _ images: UnsafePointer<Float>, count: Int, staged: UnsafeMutablePointer<Float>,
        into v: UnsafeMutablePointer<Float>, column: Int, stride: Int
    ) {
        let g = geometry
        let (width, ld, step) = (stagedWidth, rowStride, inputStep)
        for channel in 0..<channels {
            // Only the inside is written: the zero border stays from the first clearing.
            for y in 0..<g.inputHeight {
                Self.interleaveImages(
                    images + channel * g.inputPlane + y * g.inputWidth, imageStride: inputSize, count: count,
                    length: g.inputWidth, into: staged + 8 * ((y + g.paddingHeight) * width + g.paddingWidth))
            }
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    // d B along each of the tile's 6 rows, for 8 images at once.
                    let corner = staged + 8 * (4 * ty * width + 4 * tx)
                    @inline(__always)
                    func rowBT(_ r: Int) -> Six {
                        let at = corner + 8 * r * width
                        return Self.inputBT(
                            (load(at), load(at + 8), load(at + 16), load(at + 24), load(at + 32), load(at + 40)))
                    }
                    let (r0, r1, r2, r3, r4, r5) = (rowBT(0), rowBT(1), rowBT(2), rowBT(3), rowBT(4), rowBT(5))
                    // B^T (d B) down each column j: position xi = 6 i + j.
                    let target = v + channel * ld + (ty * tileColumns + tx) * stride + column
                    storeColumn(Self.inputBT((r0.0, r1.0, r2.0, r3.0, r4.0, r5.0)), target, step)
                    storeColumn(Self.inputBT((r0.1, r1.1, r2.1, r3.1, r4.1, r5.1)), target + step, step)
                    storeColumn(Self.inputBT((r0.2, r1.2, r2.2, r3.2, r4.2, r5.2)), target + 2 * step, step)
                    storeColumn(Self.inputBT((r0.3, r1.3, r2.3, r3.3, r4.3, r5.3)), target + 3 * step, step)
                    storeColumn(Self.inputBT((r0.4, r1.4, r2.4, r3.4, r4.4, r5.4)), target + 4 * step, step)
                    storeColumn(Self.inputBT((r0.5, r1.5, r2.5, r3.5, r4.5, r5.5)), target + 5 * step, step)
                }
            }
        }
    }

    /// Y = A^T M A + bias for every tile and output channel of `count` (<= 8) images, from
    /// m [36, OC, rowStride] at columns t * stride + column + i, written into the images' outputs
    /// [OC, oh, ow] from `output` on. `staged` holds one staged output plane.
    func transformOutput4x4(
        _ m: UnsafePointer<Float>, column: Int, stride: Int, bias: UnsafePointer<Float>,
        staged: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int
    ) {
        let (oh, ow) = (geometry.outputHeight, geometry.outputWidth)
        let (ld, step, width) = (rowStride, outputStep, 4 * tileColumns)
        for o in 0..<outputChannels {
            let b = Lanes(repeating: bias[o])
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    // A^T along each row i of the 6x6: four values from six.
                    let source = m + o * ld + (ty * tileColumns + tx) * stride + column
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
                    let corner = staged + 8 * (4 * ty * width + 4 * tx)
                    @inline(__always)
                    func columnAT(_ values: Six, _ k: Int) {
                        let (y0, y1, y2, y3) = Self.outputAT(values)
                        store(y0 + b, corner + 8 * k)
                        store(y1 + b, corner + 8 * (width + k))
                        store(y2 + b, corner + 8 * (2 * width + k))
                        store(y3 + b, corner + 8 * (3 * width + k))
                    }
                    columnAT((r0.0, r1.0, r2.0, r3.0, r4.0, r5.0), 0)
                    columnAT((r0.1, r1.1, r2.1, r3.1, r4.1, r5.1), 1)
                    columnAT((r0.2, r1.2, r2.2, r3.2, r4.2, r5.2), 2)
                    columnAT((r0.3, r1.3, r2.3, r3.3, r4.3, r5.3), 3)
                }
            }
            // The outputs inside the plane, back to each image.
            for y in 0..<oh {
                Self.deinterleaveImages(
                    staged + 8 * y * width, length: ow, into: output + o * geometry.outputPlane + y * ow,
                    imageStride: outputSize, count: count)
            }
        }
    }

    // MARK: Backward

    /// dM = A dY A^T for every tile and output channel of `count` (<= 8) images' output gradients
    /// from `gradient`, written to dm [36, OC, rowStride] at columns t * stride + column + i.
    /// `staged` is this core's staged gradient plane, zero past the outputs.
    func transformGradient4x4(
        _ gradient: UnsafePointer<Float>, count: Int, staged: UnsafeMutablePointer<Float>,
        into dm: UnsafeMutablePointer<Float>, column: Int, stride: Int
    ) {
        let (oh, ow) = (geometry.outputHeight, geometry.outputWidth)
        let (ld, step, width) = (rowStride, outputStep, 4 * tileColumns)
        for o in 0..<outputChannels {
            for y in 0..<oh {
                Self.interleaveImages(
                    gradient + o * geometry.outputPlane + y * ow, imageStride: outputSize, count: count, length: ow,
                    into: staged + 8 * y * width)
            }
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    // A along each of the tile's 4 rows: six values from four.
                    let corner = staged + 8 * (4 * ty * width + 4 * tx)
                    @inline(__always)
                    func rowA(_ a: Int) -> Six {
                        let at = corner + 8 * a * width
                        return Self.gradientA((load(at), load(at + 8), load(at + 16), load(at + 24)))
                    }
                    let (h0, h1, h2, h3) = (rowA(0), rowA(1), rowA(2), rowA(3))
                    // A down each column j: position xi = 6 i + j.
                    let target = dm + o * ld + (ty * tileColumns + tx) * stride + column
                    storeColumn(Self.gradientA((h0.0, h1.0, h2.0, h3.0)), target, step)
                    storeColumn(Self.gradientA((h0.1, h1.1, h2.1, h3.1)), target + step, step)
                    storeColumn(Self.gradientA((h0.2, h1.2, h2.2, h3.2)), target + 2 * step, step)
                    storeColumn(Self.gradientA((h0.3, h1.3, h2.3, h3.3)), target + 3 * step, step)
                    storeColumn(Self.gradientA((h0.4, h1.4, h2.4, h3.4)), target + 4 * step, step)
                    storeColumn(Self.gradientA((h0.5, h1.5, h2.5, h3.5)), target + 5 * step, step)
                }
            }
        }
    }

    /// The input gradients of `count` (<= 8) images from dv [36, C, rowStride] at columns
    /// t * stride + column + i: B dV B^T for every tile, added onto the 6x6 block the tile was read
    /// from (neighbouring tiles overlap by two rows and columns), then the padding cut off, into the
    /// images' gradients from `dx` on. `staged` is a staged plane of this core.
    func transformInputGradient4x4(
        _ dv: UnsafePointer<Float>, column: Int, stride: Int, staged: UnsafeMutablePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        let g = geometry
        let (width, ld, step) = (stagedWidth, rowStride, inputStep)
        for channel in 0..<channels {
            staged.update(repeating: 0, count: stagedPlaneSize)
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    let source = dv + channel * ld + (ty * tileColumns + tx) * stride + column
                    // B down each column j of the 6x6 (positions j, j + 6, ..., j + 30).
                    @inline(__always)
                    func columnB(_ j: Int) -> Six {
                        let at = source + j * step
                        return Self.inputGradientB(
                            (
                                load(at), load(at + 6 * step), load(at + 12 * step), load(at + 18 * step),
                                load(at + 24 * step), load(at + 30 * step)
                            ))
                    }
                    let (k0, k1, k2, k3, k4, k5) = (
                        columnB(0), columnB(1), columnB(2), columnB(3), columnB(4), columnB(5)
                    )
                    // B along each row r, added onto staged row 4ty + r at columns 4tx ..< 4tx + 6.
                    let corner = staged + 8 * (4 * ty * width + 4 * tx)
                    @inline(__always)
                    func rowB(_ values: Six, _ r: Int) {
                        let (w0, w1, w2, w3, w4, w5) = Self.inputGradientB(values)
                        let at = corner + 8 * r * width
                        Self.add(w0, at)
                        Self.add(w1, at + 8)
                        Self.add(w2, at + 16)
                        Self.add(w3, at + 24)
                        Self.add(w4, at + 32)
                        Self.add(w5, at + 40)
                    }
                    rowB((k0.0, k1.0, k2.0, k3.0, k4.0, k5.0), 0)
                    rowB((k0.1, k1.1, k2.1, k3.1, k4.1, k5.1), 1)
                    rowB((k0.2, k1.2, k2.2, k3.2, k4.2, k5.2), 2)
                    rowB((k0.3, k1.3, k2.3, k3.3, k4.3, k5.3), 3)
                    rowB((k0.4, k1.4, k2.4, k3.4, k4.4, k5.4), 4)
                    rowB((k0.5, k1.5, k2.5, k3.5, k4.5, k5.5), 5)
                }
            }
            for y in 0..<g.inputHeight {
                Self.deinterleaveImages(
                    staged + 8 * ((y + g.paddingHeight) * width + g.paddingWidth), length: g.inputWidth,
                    into: dx + channel * g.inputPlane + y * g.inputWidth, imageStride: inputSize, count: count)
            }
        }
    }
}
