import MatrixMath
import Parallel

/// A 3x3 convolution with stride 1 by Winograd's minimal filtering F(2x2, 3x3): each 2x2 block
/// of outputs from 16 multiplications per channel pair instead of the 36 of the direct sum.
///
/// **The one-dimensional trick.** Two outputs of a 3-tap correlation, y0 = d0 g0 + d1 g1 + d2 g2
/// and y1 = d1 g0 + d2 g1 + d3 g2, take six multiplications as written. Winograd's four products
///
///     m0 = (d0 - d2) g0         m1 = (d1 + d2) (g0 + g1 + g2) / 2
///     m3 = (d1 - d3) g2         m2 = (d2 - d1) (g0 - g1 + g2) / 2
///
/// give the same y0 = m0 + m1 + m2 and y1 = m1 - m2 - m3: the filter's combinations are made
/// once per filter, the input's are additions. In matrix form y = A^T [(G g) * (B^T d)], with
/// `*` entry by entry. Nesting the rule in both directions gives the 2-D version on a 4x4 input
/// tile d and a 3x3 filter g:
///
///     Y (2x2) = A^T [ U * V ] A,   U = G g G^T (4x4, per filter and channel),   V = B^T d B (4x4)
///
///     B^T = | 1  0 -1  0 |     G = | 1    0    0   |     A^T = | 1  1  1  0 |
///           | 0  1  1  0 |         | 1/2  1/2  1/2 |           | 0  1 -1 -1 |
///           | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
///           | 0  1  0 -1 |         | 0    0    1   |
///
/// **Why it is a GEMM again.** A layer sums over input channels: M[o, t] = sum_c U[o, c] * V[c, t]
/// for output channel o and tile t, and each of the 16 positions xi of the 4x4 is its own
/// product, M_xi [OC, T] = U_xi [OC, C] V_xi [C, T]. The 16 products do (16 / 36) of im2col's
/// multiply-adds, on the same tiled GEMM; the transforms around them are additions, vectorised
/// over eight tiles of a row.
///
/// **Backward.** Everything between the transforms is linear, so the gradients go back through
/// the same matrices transposed. With dM = A dY A^T (the output gradient of each tile, 4x4):
///
///     dV_xi = U_xi^T dM_xi     then   d(input tile) = B dV B^T, added onto overlapping tiles
///     dU_xi = sum over tiles of dM_xi V_xi^T     then   dW = G^T dU G
///
/// so the input and weight gradients share one transformed output gradient.
///
/// **Rounding.** The transforms add and subtract before multiplying, so results differ from the
/// direct sum in the last bits (tested against the plain-loop reference, and bit-identical from
/// run to run and for any thread count: each part of the batch sums its weight gradient in a fixed
/// order, and the parts are added in order).
///
/// **Larger tiles.** Batches of 8 or more images take F(4x4, 3x3) instead
/// (`WinogradConvolution+F4x4.swift`): 6x6 input tiles, 36 products per 4x4 block of outputs, 9/16
/// of the multiply-adds above, with the same tile of eight images in a vector's lanes. The loops
/// below are the same for both; `tile` and `positions` say which.
///
/// The images of a batch are taken a group at a time (enough tiles for a wide GEMM, few enough
/// that a group's transformed tiles stay in the core's L2 cache), the groups shared between cores.
///
/// ## Shape
/// - input [N, C, H, W], weight [OC, C, 3, 3], bias [OC] -> [N, OC, oh, ow]; stride 1, any
///   padding (`handles(channels:outputChannels:geometry:)`)
///
/// ```swift
/// let winograd = WinogradConvolution(images: 64, channels: 32, outputChannels: 64, geometry: g)
/// let u = winograd.transformedFilters(weight)
/// let y = winograd.forward(input: x, filters: u, bias: b)
/// ```
struct WinogradConvolution {
    let images: Int, channels: Int, outputChannels: Int
    let geometry: ConvolutionGeometry
    /// Outputs down and across one tile: 2 for F(2x2, 3x3), 4 for F(4x4, 3x3)
    /// (`WinogradConvolution+F4x4.swift`, chosen by `prefersLargeTiles`).
    let tile: Int
    /// Tiles down and across one output plane: each covers a tile x tile block of outputs (the last
    /// row or column of tiles hangs over the edge when oh or ow is not a multiple of `tile`; its extra
    /// outputs are dropped).
    let tileRows: Int, tileColumns: Int
    /// Images whose tiles go through the `positions` products together.
    let imagesPerGroup: Int
    /// Whether the weight gradient's products compute dU_xi^T [C, OC] = V_xi dM_xi^T instead of
    /// dU_xi [OC, C] = dM_xi V_xi^T: the same sums, in the orientation that wastes less of the
    /// GEMM's register tiles (convnet's conv2, OC 48 and C 24, fills whole 6x16 tiles only as
    /// [24, 48]).
    let weightGradientTransposed: Bool

    /// Tiles per image.
    var tiles: Int { tileRows * tileColumns }
    /// Positions of a transformed tile, (tile + 2)^2: 16 or 36 products per group of images.
    var positions: Int { (tile + 2) * (tile + 2) }
    /// The distance between rows of V, M and their gradients [positions, channels, rowStride]: a group's
    /// tiles and 8 floats of slack, so that a vector of 8 tiles can always be loaded and stored
    /// whole.
    var rowStride: Int { imagesPerGroup * tiles + 8 }
    /// The distance between the `positions` matrices of V and dV [C, rowStride] (`inputStep`), and
    /// of M and dM [OC, rowStride] (`outputStep`): the rows they take, rounded up so that the
    /// matrices start 256 bytes apart modulo 4 KB (see `spaced`).
    var inputStep: Int { Self.spaced(channels * rowStride) }
    var outputStep: Int { Self.spaced(outputChannels * rowStride) }
    /// Floats of a group's V and M (or dV and dM).
    var transformedSize: Int { positions * (inputStep + outputStep) }

    /// The smallest count of floats >= `floats` that is 64 more than a multiple of 1024 (4 KB).
    ///
    /// The transforms read or write the same tile in all 16 matrices at once (36 for F(4x4), which
    /// use the same 16 offsets, at most three matrices on each): streams one matrix apart. When
    /// that distance is a multiple of 4 KB (`pytorch-example`'s V by F(2x2), 32 rows of 160 floats,
    /// would be), all 16 fall in the same sets of the L1 cache, which has 8 ways, and loads wait on
    /// stores to unrelated addresses that match in their low 12 bits; 256 bytes apart they use 16
    /// different sets. Measured on one core, `pytorch-example`'s conv2 forward took 12.1-14.7 ms
    /// per batch with rows padded to 160 floats (all 16 at one offset) against 9.3-11.2 with its
    /// rows of 152 (4 offsets); spaced, its backward went from 21.1-21.3 to 20.0-20.5 ms and
    /// `convnet`'s from 10.4-10.5 to 10.1-10.4.
    static func spaced(_ floats: Int) -> Int {
        floats + ((64 - floats % 1024) + 1024) % 1024
    }
    var groups: Int { (images + imagesPerGroup - 1) / imagesPerGroup }
    var inputSize: Int { channels * geometry.inputPlane }
    var outputSize: Int { outputChannels * geometry.outputPlane }
    /// Floats of U: `positions` matrices [OC, C].
    var filtersSize: Int { positions * outputChannels * channels }
    /// Width and height of a padded input plane as F(2x2)'s transforms read it: the zero padding,
    /// and zeros under the tiles that hang over the edge, and room for the last vector of eight
    /// tiles (2 columns per tile, 2 more for the last tile's right half). F(4x4) stages its planes
    /// as `stagedWidth` x `planeHeight` pixels of 8 images.
    var planeWidth: Int { 2 * roundUpToLanes(tileColumns) + 2 }
    var planeHeight: Int { tile * tileRows + 2 }
    /// A padded output-gradient plane: 2 rows and 2 columns per tile.
    var gradientPlaneWidth: Int { 2 * roundUpToLanes(tileColumns) }
    var gradientPlaneHeight: Int { 2 * tileRows }
    /// Floats of a core's plane buffers: for F(2x2) a padded plane, an output-gradient plane, and
    /// a plane for the input gradient; for F(4x4) a staged input plane and a staged output plane,
    /// a staged output-gradient plane, and a staged input plane for the input gradient.
    var planeBufferSize: Int { tile == 4 ? stagedPlaneSize + stagedOutputSize : planeWidth * planeHeight }
    var gradientBufferSize: Int { tile == 4 ? stagedOutputSize : gradientPlaneWidth * gradientPlaneHeight }
    var accumulatedBufferSize: Int { tile == 4 ? stagedPlaneSize : planeWidth * planeHeight }

    /// The GEMMs' columns for a group of `count` images, and for F(4x4) the distance between one
    /// tile's columns and the next's (the images rounded up to whole vectors of 8).
    func columns(images count: Int) -> (n: Int, stride: Int) {
        let stride = tile == 4 ? (count + 7) / 8 * 8 : 0
        return (tile == 4 ? tiles * stride : count * tiles, stride)
    }

    /// Whether this path computes the convolution: a 3x3 kernel, stride 1, at least two input
    /// channels (one channel goes to `SingleChannelConvolution`), and a weight small enough that
    /// each part of the batch can keep its own 16 x OC x C weight gradient (4 MB at most).
    static func handles(channels: Int, outputChannels: Int, geometry g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && channels >= 2 && channels * outputChannels <= 256 * 256
    }

    /// Whether F(4x4, 3x3) is the faster choice: its 36 products per 4x4 outputs do 9/16 of
    /// F(2x2, 3x3)'s multiply-adds. Its transforms take the same tile of eight images at once, so it
    /// needs a batch of at least 8, and at least 8 rows and columns of outputs (fewer would leave
    /// much of its tiles hanging over the edge). Its 36 x OC x C weight gradient per part is held
    /// to the same 4 MB, and a group of 8 images' V and M to 16 MB per core (a 224 x 224 plane would
    /// take hundreds). Both networks' conv2 take it in training (batches of 200 and 64).
    static func prefersLargeTiles(
        images: Int, channels: Int, outputChannels: Int, geometry g: ConvolutionGeometry
    ) -> Bool {
        let tiles = ((g.outputHeight + 3) / 4) * ((g.outputWidth + 3) / 4)
        return images >= 8 && g.outputHeight >= 8 && g.outputWidth >= 8
            && 36 * channels * outputChannels <= 16 * 256 * 256
            && 8 * 36 * (channels + outputChannels) * tiles <= 4 * 1024 * 1024
    }

    /// The convolution of `images` images by F(4x4, 3x3) where `prefersLargeTiles`, else by
    /// F(2x2, 3x3); `tile` (2 or 4) overrides the choice.
    init(images: Int, channels: Int, outputChannels: Int, geometry: ConvolutionGeometry, tile: Int? = nil) {
        precondition(
            Self.handles(channels: channels, outputChannels: outputChannels, geometry: geometry),
            "WinogradConvolution: needs a 3x3 kernel, stride 1 and 2 to 65536 channel pairs, got \(geometry)")
        precondition(tile == nil || tile == 2 || tile == 4, "WinogradConvolution: tiles of 2 or 4, got \(tile ?? 0)")
        (self.images, self.channels, self.outputChannels, self.geometry) =
            (images, channels, outputChannels, geometry)
        let large = Self.prefersLargeTiles(
            images: images, channels: channels, outputChannels: outputChannels, geometry: geometry)
        self.tile = tile ?? (large ? 4 : 2)
        tileRows = (geometry.outputHeight + self.tile - 1) / self.tile
        tileColumns = (geometry.outputWidth + self.tile - 1) / self.tile
        let tiles = tileRows * tileColumns
        if self.tile == 4 {
            // Whole vectors of 8 images, and at least 128 tiles, past L2 if need be (products any
            // narrower do not pay for their packing): `convnet`'s conv2 (9 tiles per image, 1.5 MB of
            // V and M in groups of 16) took 1.5 + 3.1-3.2 ms per batch on two cores in groups of 16,
            // 1.7 + 3.2-3.3 in groups of 8, 1.6 + 3.7-4.7 in groups of 24; `pytorch-example`'s (36)
            // 3.0-3.2 + 6.9-7.0 in groups of 8, 3.6-3.8 + 8.0-9.7 in groups of 16.
            imagesPerGroup = 8 * Swift.max(1, (128 + 8 * tiles - 1) / (8 * tiles))
        } else {
            // A group's V and M take 16 (C + OC) floats per tile: about 768 KB of them fit in L2 next
            // to the packed operands, and 256 tiles already fill the GEMM's panels.
            let perImage = 16 * (channels + outputChannels) * tiles
            let byCache = Swift.max(1, (192 * 1024) / perImage)
            let byWidth = Swift.max(1, 256 / tiles)
            imagesPerGroup = Swift.max(1, Swift.min(images, byCache, byWidth))
        }
        weightGradientTransposed =
            GEMMKernel.paddedArea(m: channels, n: outputChannels)
            < GEMMKernel.paddedArea(m: outputChannels, n: channels)
    }

    // MARK: Filters

    /// U [positions, OC, C] from the weight [OC, C, 3, 3]: U = G g G^T for every filter and
    /// channel, laid out as one [OC, C] matrix per position of the transformed tile.
    func transformedFilters(_ weight: [Float]) -> [Float] {
        if tile == 4 { return transformedFilters4x4(weight) }
        let pairs = outputChannels * channels
        // G applied to 3 values: 4 values.
        @inline(__always)
        func expand(_ g0: Float, _ g1: Float, _ g2: Float) -> (Float, Float, Float, Float) {
            (g0, (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5, g2)
        }
        return [Float](uninitializedCount: filtersSize) { u in
            weight.withUnsafeBufferPointer { w in
                guard let weights = w.baseAddress else { return }
                for pair in 0..<pairs {
                    let g = weights + pair * 9
                    // G g: each column of g (3 values down) becomes 4.
                    let c0 = expand(g[0], g[3], g[6]), c1 = expand(g[1], g[4], g[7]), c2 = expand(g[2], g[5], g[8])
                    // (G g) G^T: each row of 3 becomes 4, stored at positions 4 row ..< 4 row + 4.
                    func store(_ row: Int, _ values: (Float, Float, Float, Float)) {
                        u[(row * 4) * pairs + pair] = values.0
                        u[(row * 4 + 1) * pairs + pair] = values.1
                        u[(row * 4 + 2) * pairs + pair] = values.2
                        u[(row * 4 + 3) * pairs + pair] = values.3
                    }
                    store(0, expand(c0.0, c1.0, c2.0))
                    store(1, expand(c0.1, c1.1, c2.1))
                    store(2, expand(c0.2, c1.2, c2.2))
                    store(3, expand(c0.3, c1.3, c2.3))
                }
            }
        }
    }

    /// U^T [positions, C, OC] from U [positions, OC, C]: the left operand of dV = U^T dM, laid out
    /// once.
    func transposedFilters(_ u: [Float]) -> [Float] {
        let (oc, c) = (outputChannels, channels)
        return [Float](uninitializedCount: filtersSize) { ut in
            for xi in 0..<positions {
                for o in 0..<oc {
                    for i in 0..<c { ut[(xi * c + i) * oc + o] = u[(xi * oc + o) * c + i] }
                }
            }
        }
    }

    /// dW [OC, C, 3, 3] from dU [positions, OC, C]: dW = G^T dU G for every filter and channel.
    func weightFromTransformed(_ du: [Float]) -> [Float] {
        if tile == 4 { return weightFromTransformed4x4(du) }
        let pairs = outputChannels * channels
        // G^T applied to 4 values: 3 values.
        @inline(__always)
        func reduce(_ w0: Float, _ w1: Float, _ w2: Float, _ w3: Float) -> (Float, Float, Float) {
            (w0 + (w1 + w2) * 0.5, (w1 - w2) * 0.5, (w1 + w2) * 0.5 + w3)
        }
        return [Float](uninitializedCount: pairs * 9) { dw in
            du.withUnsafeBufferPointer { buffer in
                guard let du = buffer.baseAddress else { return }
                for pair in 0..<pairs {
                    // Rows first: each row of 4 becomes 3; then each column of 4 becomes 3.
                    func row(_ r: Int) -> (Float, Float, Float) {
                        let at = du + r * 4 * pairs + pair
                        return reduce(at[0], at[pairs], at[2 * pairs], at[3 * pairs])
                    }
                    let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3))
                    let columns = (
                        reduce(r0.0, r1.0, r2.0, r3.0), reduce(r0.1, r1.1, r2.1, r3.1), reduce(r0.2, r1.2, r2.2, r3.2)
                    )
                    let target = dw + pair * 9
                    (target[0], target[3], target[6]) = columns.0
                    (target[1], target[4], target[7]) = columns.1
                    (target[2], target[5], target[8]) = columns.2
                }
            }
        }
    }

    // MARK: Forward

    /// out [N, OC, oh, ow] from input [N, C, H, W], U [positions, OC, C] and bias [OC].
    func forward(input: [Float], filters u: [Float], bias: [Float]?) -> [Float] {
        let (oc, c, ld) = (outputChannels, channels, rowStride)
        let (vStep, mStep) = (inputStep, outputStep)
        let biasValues = bias ?? [Float](repeating: 0, count: oc)
        let plane = planeBufferSize
        return [Float](uninitializedCount: images * outputSize) { output in
            withBaseAddresses(input, u, biasValues) { x, u, b in
                parallelFor(groups) { range in
                    ScratchBuffer.with(count: transformedSize + plane) { work in
                        let (v, m, padded) = (work, work + positions * vStep, work + transformedSize)
                        padded.update(repeating: 0, count: plane)
                        for group in range {
                            let first = group * imagesPerGroup
                            let count = Swift.min(imagesPerGroup, images - first)
                            let (n, stride) = columns(images: count)
                            if tile == 4 {
                                for lane in Swift.stride(from: 0, to: count, by: 8) {
                                    transformInput4x4(
                                        x + (first + lane) * inputSize, count: Swift.min(8, count - lane),
                                        staged: padded, into: v, column: lane, stride: stride)
                                }
                            } else {
                                for image in 0..<count {
                                    transformInput(
                                        x + (first + image) * inputSize, padded: padded, into: v,
                                        column: image * tiles)
                                }
                            }
                            for xi in 0..<positions {
                                gemm(
                                    m: oc, n: n, k: c, a: u + xi * oc * c, lda: c, b: v + xi * vStep, ldb: ld,
                                    c: m + xi * mStep, ldc: ld, kernel: .packed)
                            }
                            if tile == 4 {
                                for lane in Swift.stride(from: 0, to: count, by: 8) {
                                    transformOutput4x4(
                                        m, column: lane, stride: stride, bias: b, staged: padded + stagedPlaneSize,
                                        into: output + (first + lane) * outputSize, count: Swift.min(8, count - lane))
                                }
                            } else {
                                for image in 0..<count {
                                    transformOutput(
                                        m, column: image * tiles, bias: b,
                                        into: output + (first + image) * outputSize)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// V = B^T d B for every tile and channel of one image, written to v [16, C, rowStride] at
    /// `column` (tile t of the image in column + t). `padded` is this core's plane buffer, whose
    /// border is zero. Vectors of eight tiles are stored whole: a last, partial vector spills into
    /// the next tiles' places, which are written after it, or into the rows' slack.
    func transformInput(
        _ image: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>,
        column: Int
    ) {
        let g = geometry
        let (width, ld, step) = (planeWidth, rowStride, inputStep)
        for channel in 0..<channels {
            // Only the inside is written: the zero border stays from the first clearing.
            let source = image + channel * g.inputPlane
            for y in 0..<g.inputHeight {
                Self.copy(
                    source + y * g.inputWidth, to: padded + (y + g.paddingHeight) * width + g.paddingWidth,
                    count: g.inputWidth)
            }
            for ty in 0..<tileRows {
                var tx = 0
                while tx < tileColumns {
                    // d B along each of the tile's 4 rows, for 8 tiles at once.
                    let row = padded + 2 * ty * width + 2 * tx
                    let (a0, a1, a2, a3) = Self.rightB(row)
                    let (b0, b1, b2, b3) = Self.rightB(row + width)
                    let (c0, c1, c2, c3) = Self.rightB(row + 2 * width)
                    let (d0, d1, d2, d3) = Self.rightB(row + 3 * width)
                    // B^T (d B) down the columns: position xi = 4r + col of the 4x4 at row xi.
                    let target = v + channel * ld + column + ty * tileColumns + tx
                    store(a0 - c0, target)
                    store(a1 - c1, target + step)
                    store(a2 - c2, target + 2 * step)
                    store(a3 - c3, target + 3 * step)
                    store(b0 + c0, target + 4 * step)
                    store(b1 + c1, target + 5 * step)
                    store(b2 + c2, target + 6 * step)
                    store(b3 + c3, target + 7 * step)
                    store(c0 - b0, target + 8 * step)
                    store(c1 - b1, target + 9 * step)
                    store(c2 - b2, target + 10 * step)
                    store(c3 - b3, target + 11 * step)
                    store(b0 - d0, target + 12 * step)
                    store(b1 - d1, target + 13 * step)
                    store(b2 - d2, target + 14 * step)
                    store(b3 - d3, target + 15 * step)
                    tx += 8
                }
            }
        }
    }

    /// d B for one row of eight tiles: the tiles' columns 2t, 2t+1, 2t+2, 2t+3, split out of two
    /// 16-wide loads, combined as (d0 - d2, d1 + d2, d2 - d1, d1 - d3).
    @inline(__always)
    private static func rightB(_ row: UnsafeMutablePointer<Float>) -> (Lanes, Lanes, Lanes, Lanes) {
        let here = load16(row), next = load16(row + 2)
        let (d0, d1, d2, d3) = (here.evenHalf, here.oddHalf, next.evenHalf, next.oddHalf)
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// Y = A^T M A + bias for every tile and output channel of one image, from m [16, OC,
    /// rowStride] at `column`, written into the image's output [OC, oh, ow].
    func transformOutput(
        _ m: UnsafePointer<Float>, column: Int, bias: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>
    ) {
        let (oh, ow) = (geometry.outputHeight, geometry.outputWidth)
        let (ld, step) = (rowStride, outputStep)
        // With one vector of tiles per row, outputs are written in memory order, so a row's last
        // vector may overrun into outputs written after it (see `storeInterleaved`).
        let overrunEnd = tileColumns <= 8 ? output + outputSize : nil
        for o in 0..<outputChannels {
            let b = Lanes(repeating: bias[o])
            let plane = output + o * geometry.outputPlane
            for ty in 0..<tileRows {
                var tx = 0
                while tx < tileColumns {
                    // A^T along each row r of the 4x4 (positions 4r ..< 4r + 4): two values from four.
                    // Lanes past the last tile read the next tiles or the slack; they are not stored.
                    let source = m + o * ld + column + ty * tileColumns + tx
                    let (r00, r01) = Self.rightA(source, step)
                    let (r10, r11) = Self.rightA(source + 4 * step, step)
                    let (r20, r21) = Self.rightA(source + 8 * step, step)
                    let (r30, r31) = Self.rightA(source + 12 * step, step)
                    // A^T down the columns; the bias last, after the products (as the GEMM path).
                    let x = 2 * tx, count = Swift.min(16, ow - x)
                    storeInterleaved(
                        r00 + r10 + r20 + b, r01 + r11 + r21 + b, plane + 2 * ty * ow + x, count, overrunEnd)
                    if 2 * ty + 1 < oh {
                        storeInterleaved(
                            r10 - r20 - r30 + b, r11 - r21 - r31 + b, plane + (2 * ty + 1) * ow + x, count, overrunEnd)
                    }
                    tx += 8
                }
            }
        }
    }

    /// M A for one row of the 4x4, eight tiles at once: (m0 + m1 + m2, m1 - m2 - m3), with m_j
    /// the row's positions `step` floats apart.
    @inline(__always)
    private static func rightA(_ source: UnsafePointer<Float>, _ step: Int) -> (Lanes, Lanes) {
        let m0 = load(source), m1 = load(source + step), m2 = load(source + 2 * step), m3 = load(source + 3 * step)
        return (m0 + m1 + m2, m1 - m2 - m3)
    }

    // MARK: Backward

    /// The gradients from the output gradient [N, OC, oh, ow]: the input's [N, C, H, W] when
    /// `needsInput`, and the weight's [OC, C, 3, 3] and bias's [OC] when `needsWeight`.
    func backward(
        gradient: [Float], input: [Float], filters u: [Float], needsInput: Bool, needsWeight: Bool
    ) -> (input: [Float]?, weight: [Float]?, bias: [Float]?) {
        let (oc, c, ld) = (outputChannels, channels, rowStride)
        // Each part of the batch sums its own dU [positions, OC, C] and db [OC], in image order; the
        // parts are fixed by the batch alone, so the sums are the same for any thread count.
        let parts = needsWeight ? Swift.min(groups, 8) : 0
        let partSize = filtersSize + oc
        var partials = [Float](repeating: 0, count: parts * partSize)
        let ut = needsInput ? transposedFilters(u) : []
        let plane = planeBufferSize, gradientPlane = gradientBufferSize
        let (vStep, mStep) = (inputStep, outputStep)
        let workspace = transformedSize + plane + gradientPlane + accumulatedBufferSize
        // Every value of dx is written (each channel's plane is copied out whole), so it starts
        // uninitialised.
        let dx = [Float](uninitializedCount: needsInput ? images * inputSize : 0) { dxBase in
            withBaseAddresses(gradient, input, ut) { g, x, ut in
                partials.withUnsafeMutableBufferPointer { partialBuffer in
                    // Without a weight gradient the groups need no order: one unit each.
                    let units = needsWeight ? parts : groups
                    parallelFor(units) { range in
                        ScratchBuffer.with(count: workspace) { work in
                            let v = work, dm = work + positions * vStep
                            let padded = work + transformedSize, paddedGradient = padded + plane
                            let accumulated = paddedGradient + gradientPlane
                            padded.update(repeating: 0, count: plane)
                            paddedGradient.update(repeating: 0, count: gradientPlane)
                            for unit in range {
                                let groupRange =
                                    needsWeight ? unit * groups / parts..<(unit + 1) * groups / parts : unit..<unit + 1
                                let sums = needsWeight ? partialBuffer.baseAddress.map { $0 + unit * partSize } : nil
                                for group in groupRange {
                                    let first = group * imagesPerGroup
                                    let count = Swift.min(imagesPerGroup, images - first)
                                    let (n, stride) = columns(images: count)
                                    for image in 0..<count {
                                        let gImage = g + (first + image) * outputSize
                                        if let sums { addPlaneSums(gImage, into: sums + filtersSize) }
                                        guard tile != 4 else { continue }
                                        transformGradient(
                                            gImage, padded: paddedGradient, into: dm, column: image * tiles)
                                        if sums != nil {
                                            transformInput(
                                                x + (first + image) * inputSize, padded: padded, into: v,
                                                column: image * tiles)
                                        }
                                    }
                                    for lane in Swift.stride(from: 0, to: tile == 4 ? count : 0, by: 8) {
                                        let lanes = Swift.min(8, count - lane)
                                        transformGradient4x4(
                                            g + (first + lane) * outputSize, count: lanes, staged: paddedGradient,
                                            into: dm, column: lane, stride: stride)
                                        if sums != nil {
                                            transformInput4x4(
                                                x + (first + lane) * inputSize, count: lanes, staged: padded, into: v,
                                                column: lane, stride: stride)
                                        }
                                    }
                                    // Both products of one position xi, one after the other, while its
                                    // dM_xi (up to 37 KB) is still in L1 and L2: a whole group's dM is
                                    // about as large as L2 or larger, and a second pass over all the
                                    // positions came back for it from L3 (measured with F(2x2)'s 16).
                                    for xi in 0..<positions {
                                        let (vXi, dmXi) = (v + xi * vStep, dm + xi * mStep)
                                        if let sums, weightGradientTransposed {
                                            // dU_xi^T [C, OC] += V_xi [C, n] dM_xi^T [n, OC].
                                            gemm(
                                                transB: .transposed, m: c, n: oc, k: n, a: vXi, lda: ld, b: dmXi,
                                                ldb: ld, beta: 1, c: sums + xi * oc * c, ldc: oc, kernel: .packed)
                                        } else if let sums {
                                            // dU_xi [OC, C] += dM_xi [OC, n] V_xi^T [n, C].
                                            gemm(
                                                transB: .transposed, m: oc, n: c, k: n, a: dmXi, lda: ld, b: vXi,
                                                ldb: ld, beta: 1, c: sums + xi * oc * c, ldc: c, kernel: .packed)
                                        }
                                        // dV_xi [C, n] = U_xi^T [C, OC] dM_xi [OC, n], over V_xi, which the
                                        // weight gradient above has just used.
                                        if needsInput {
                                            gemm(
                                                m: c, n: n, k: oc, a: ut + xi * c * oc, lda: oc, b: dmXi, ldb: ld,
                                                c: vXi, ldc: ld, kernel: .packed)
                                        }
                                    }
                                    guard needsInput else { continue }
                                    for lane in Swift.stride(from: 0, to: tile == 4 ? count : 0, by: 8) {
                                        transformInputGradient4x4(
                                            v, column: lane, stride: stride, staged: accumulated,
                                            into: dxBase + (first + lane) * inputSize, count: Swift.min(8, count - lane)
                                        )
                                    }
                                    for image in 0..<(tile == 4 ? 0 : count) {
                                        transformInputGradient(
                                            v, column: image * tiles, padded: accumulated,
                                            into: dxBase + (first + image) * inputSize)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard needsWeight else { return (needsInput ? dx : nil, nil, nil) }
        // The parts added in order, each value on its own (the same sums as adding each part into
        // dU in turn), then dU and db read out of the total.
        var total = [Float](repeating: 0, count: partSize)
        partials.withUnsafeBufferPointer { partials in
            total.withUnsafeMutableBufferPointer { total in
                guard let p = partials.baseAddress, let t = total.baseAddress else { return }
                for part in 0..<parts {
                    for index in 0..<partSize { t[index] += p[part * partSize + index] }
                }
            }
        }
        let db = Array(total[filtersSize...])
        var du = total
        du.removeLast(oc)
        if weightGradientTransposed {
            // Back from [positions, C, OC] to U's layout [positions, OC, C].
            for xi in 0..<positions {
                for o in 0..<oc {
                    for channel in 0..<c { du[(xi * oc + o) * c + channel] = total[(xi * c + channel) * oc + o] }
                }
            }
        }
        return (needsInput ? dx : nil, weightFromTransformed(du), db)
    }

    /// dM = A dY A^T for every tile and output channel of one image's output gradient, written
    /// to dm [16, OC, rowStride] at `column` (whole vectors, as `transformInput`). Outputs past the
    /// plane's edge (tiles hanging over an odd oh or ow) count as zero: `padded` has zeros there.
    func transformGradient(
        _ gradient: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>, into dm: UnsafeMutablePointer<Float>,
        column: Int
    ) {
        let (oh, ow, width) = (geometry.outputHeight, geometry.outputWidth, gradientPlaneWidth)
        let (ld, step) = (rowStride, outputStep)
        for o in 0..<outputChannels {
            for y in 0..<oh { Self.copy(gradient + (o * oh + y) * ow, to: padded + y * width, count: ow) }
            for ty in 0..<tileRows {
                var tx = 0
                while tx < tileColumns {
                    // A along each of the tile's 2 rows: (dy0, dy0 + dy1, dy0 - dy1, -dy1).
                    let row = padded + 2 * ty * width + 2 * tx
                    let top = load16(row), bottom = load16(row + width)
                    let (t0, t1) = (top.evenHalf, top.oddHalf), (u0, u1) = (bottom.evenHalf, bottom.oddHalf)
                    let h0 = (t0, t0 + t1, t0 - t1, Lanes() - t1), h1 = (u0, u0 + u1, u0 - u1, Lanes() - u1)
                    // A down the columns: rows (h0, h0 + h1, h0 - h1, -h1) of the 4x4.
                    let target = dm + o * ld + column + ty * tileColumns + tx
                    store(h0.0, target)
                    store(h0.1, target + step)
                    store(h0.2, target + 2 * step)
                    store(h0.3, target + 3 * step)
                    store(h0.0 + h1.0, target + 4 * step)
                    store(h0.1 + h1.1, target + 5 * step)
                    store(h0.2 + h1.2, target + 6 * step)
                    store(h0.3 + h1.3, target + 7 * step)
                    store(h0.0 - h1.0, target + 8 * step)
                    store(h0.1 - h1.1, target + 9 * step)
                    store(h0.2 - h1.2, target + 10 * step)
                    store(h0.3 - h1.3, target + 11 * step)
                    store(Lanes() - h1.0, target + 12 * step)
                    store(Lanes() - h1.1, target + 13 * step)
                    store(Lanes() - h1.2, target + 14 * step)
                    store(Lanes() - h1.3, target + 15 * step)
                    tx += 8
                }
            }
        }
    }

    /// The input gradient of one image from dv [16, C, rowStride] at `column`: B dV B^T for every
    /// tile, added onto the 4x4 block the tile was read from (neighbouring tiles overlap by two
    /// rows and columns), then the padding cut off. `padded` is a plane buffer of this core.
    func transformInputGradient(
        _ dv: UnsafePointer<Float>, column: Int, padded: UnsafeMutablePointer<Float>,
        into dx: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let (width, ld, step) = (planeWidth, rowStride, inputStep)
        for channel in 0..<channels {
            padded.update(repeating: 0, count: planeWidth * planeHeight)
            for ty in 0..<tileRows {
                var tx = 0
                while tx < tileColumns {
                    // Lanes past the last tile would add other tiles' values: they are zeroed.
                    let missing = SIMD8<Int32>(repeating: Int32(tileColumns - tx)) .<= laneIndices
                    let source = dv + channel * ld + column + ty * tileColumns + tx
                    // B down each column of the 4x4: (w0, w1 - w2 + w3, w1 + w2 - w0, -w3).
                    let (a0, a1, a2, a3) = Self.leftB(source, step, missing)
                    let (b0, b1, b2, b3) = Self.leftB(source + step, step, missing)
                    let (c0, c1, c2, c3) = Self.leftB(source + 2 * step, step, missing)
                    let (d0, d1, d2, d3) = Self.leftB(source + 3 * step, step, missing)
                    // B along each row, added onto padded row 2ty + r at columns 2tx ..< 2tx + 4.
                    let row = padded + 2 * ty * width + 2 * tx
                    Self.addRow(a0, b0, c0, d0, row)
                    Self.addRow(a1, b1, c1, d1, row + width)
                    Self.addRow(a2, b2, c2, d2, row + 2 * width)
                    Self.addRow(a3, b3, c3, d3, row + 3 * width)
                    tx += 8
                }
            }
            let target = dx + channel * g.inputPlane
            for y in 0..<g.inputHeight {
                Self.copy(
                    padded + (y + g.paddingHeight) * width + g.paddingWidth, to: target + y * g.inputWidth,
                    count: g.inputWidth)
            }
        }
    }

    /// B applied down one column of the 4x4 (positions col, col + 4, col + 8, col + 12, each
    /// 4 * step apart), eight tiles at once, with the `missing` lanes read as zero.
    @inline(__always)
    private static func leftB(_ source: UnsafePointer<Float>, _ step: Int, _ missing: SIMDMask<SIMD8<Int32>>)
        -> (Lanes, Lanes, Lanes, Lanes)
    {
        let w0 = load(source).replacing(with: 0, where: missing)
        let w1 = load(source + 4 * step).replacing(with: 0, where: missing)
        let w2 = load(source + 8 * step).replacing(with: 0, where: missing)
        let w3 = load(source + 12 * step).replacing(with: 0, where: missing)
        return (w0, w1 - w2 + w3, w1 + w2 - w0, Lanes() - w3)
    }

    /// B along one row of the 4x4 (values w0 ... w3 of eight tiles), added onto the plane row at
    /// the tiles' columns 2t ..< 2t + 4: (w0, w1 - w2 + w3) at 2t, 2t + 1, then (w1 + w2 - w0, -w3)
    /// at 2t + 2, 2t + 3, where the next tile's first two columns overlap them.
    @inline(__always)
    private static func addRow(_ w0: Lanes, _ w1: Lanes, _ w2: Lanes, _ w3: Lanes, _ row: UnsafeMutablePointer<Float>) {
        addInterleaved(w0, w1 - w2 + w3, row)
        addInterleaved(w1 + w2 - w0, Lanes() - w3, row + 2)
    }

    // MARK: Vectors of eight tiles

    typealias Lanes = SIMD8<Float>

    private func roundUpToLanes(_ count: Int) -> Int { (count + 7) / 8 * 8 }

    /// Sums each of the OC planes of one image's output gradient onto sums[o] (the bias gradient).
    private func addPlaneSums(_ gradient: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>) {
        let plane = geometry.outputPlane
        for o in 0..<outputChannels {
            let source = gradient + o * plane
            var total = Lanes()
            var p = 0
            while p + 8 <= plane {
                total += load(source + p)
                p += 8
            }
            var sum = total.sum()
            while p < plane {
                sum += source[p]
                p += 1
            }
            sums[o] += sum
        }
    }

    /// 0, 1, ..., 7: compared with a count of valid lanes to mask the rest.
    private static let laneIndices = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    private var laneIndices: SIMD8<Int32> { Self.laneIndices }

    /// Copies one row of a plane (tens of floats; a memmove call per row would cost more). Rows
    /// of 8 or more values go as vectors, the last one moved back to end at the row's end (it
    /// overlaps the one before it): an element loop would leave a tail of single values, and a
    /// 13-value row would take 5 of them.
    @inline(__always)
    private static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        guard count >= 8 else {
            for index in 0..<count { target[index] = source[index] }
            return
        }
        var index = 0
        while index + 8 < count {
            UnsafeMutableRawPointer(target + index).storeBytes(of: load(source + index), as: Lanes.self)
            index += 8
        }
        UnsafeMutableRawPointer(target + count - 8).storeBytes(of: load(source + count - 8), as: Lanes.self)
    }

    @inline(__always)
    private static func copy(_ source: UnsafeMutablePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int)
    {
        copy(UnsafePointer(source), to: target, count: count)
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    func load(_ pointer: UnsafePointer<Float>) -> Lanes { Self.load(pointer) }

    @inline(__always)
    private static func load16(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    private func load16(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> { Self.load16(pointer) }

    @inline(__always)
    func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }

    /// even[0], odd[0], even[1], odd[1], ...: the first `count` of these 16 values, at `pointer`.
    ///
    /// When the caller writes its outputs in memory order, values stored past `count` land on
    /// outputs written after them: given `overrunEnd` (the end of what this core writes), all 16
    /// then go as one vector wherever they stay before it. A row of 11 outputs would otherwise end
    /// in three single stores.
    @inline(__always)
    private func storeInterleaved(
        _ even: Lanes, _ odd: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ count: Int,
        _ overrunEnd: UnsafeMutablePointer<Float>?
    ) {
        let both = Self.interleave(even, odd)
        if count == 16 || overrunEnd.map({ pointer + 16 <= $0 }) == true {
            return UnsafeMutableRawPointer(pointer).storeBytes(of: both, as: SIMD16<Float>.self)
        }
        var lane = 0
        if count >= 8 {
            UnsafeMutableRawPointer(pointer).storeBytes(of: both.lowHalf, as: Lanes.self)
            lane = 8
        }
        while lane < count {
            pointer[lane] = both[lane]
            lane += 1
        }
    }

    /// Adds even[0], odd[0], even[1], odd[1], ... onto the 16 values at `pointer`.
    @inline(__always)
    private static func addInterleaved(_ even: Lanes, _ odd: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        let sum = load16(pointer) + interleave(even, odd)
        UnsafeMutableRawPointer(pointer).storeBytes(of: sum, as: SIMD16<Float>.self)
    }

    @inline(__always)
    private static func interleave(_ even: Lanes, _ odd: Lanes) -> SIMD16<Float> {
        SIMD16(
            even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3],
            even[4], odd[4], even[5], odd[5], even[6], odd[6], even[7], odd[7])
    }
}
