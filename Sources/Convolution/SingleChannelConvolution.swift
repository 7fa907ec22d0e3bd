import Parallel

/// Convolution of single-channel images, the first layer of a network on grey images, computed
/// straight from the image instead of through im2col and the GEMM.
///
/// With one input channel, im2col's matrix has only kh*kw rows (9 for a 3x3 kernel): the product
/// `W cols` has an inner dimension of 9 or 10, far too short for the tiled GEMM (each 6x16 tile of
/// the output is stored after ten multiply-adds), and copying the windows out costs about as much
/// as the arithmetic. Here each output row is computed from the image itself, eight outputs at a
/// time, four rows at once so that four independent sums hide the latency of the FMA:
///
///     out[o, y, x ..< x+8] = b[o] + sum_{i,j} w[o, i, j] * in[y + i, x + j ..< x + j + 8]
///
/// and the weight gradient is the same sum turned around: with the image's kh*kw shifted copies
/// laid out as rows (im2col of one channel, cheap) and a row of ones for the bias, each entry is
/// one long dot product with a gradient plane, computed four filters by two rows at a time:
///
///     dW[o, i, j] = sum_{n, y, x} g[n, o, y, x] * in[n, y + i, x + j]
///     db[o]       = sum_{n, y, x} g[n, o, y, x]
///
/// (`in` here is the image with its zero padding). The input gradient, needed only when the
/// images themselves require one, is left to the im2col path, which needs only W and g.
///
/// ## Shape
/// - images [N, 1, H, W], weight [OC, 1, kh, kw], bias [OC] -> [N, OC, oh, ow]; stride 1, any
///   padding, and output rows of at least 8 (`handles(channels:geometry:)`)
enum SingleChannelConvolution {
    /// Whether this path computes the convolution: one input channel, stride 1, and output rows at
    /// least one vector (8) wide.
    static func handles(channels: Int, geometry g: ConvolutionGeometry) -> Bool {
        channels == 1 && g.strideHeight == 1 && g.strideWidth == 1 && g.outputWidth >= 8
    }

    /// out [N, OC, oh, ow] from images [N, 1, H, W], weight [OC, kh * kw] and bias [OC].
    static func forward(
        input: [Float], images: Int, weight: [Float], bias: [Float]?, outputChannels: Int,
        geometry g: ConvolutionGeometry
    ) -> [Float] {
        let plane = g.outputPlane
        let biasValues = bias ?? [Float](repeating: 0, count: outputChannels)
        return [Float](uninitializedCount: images * outputChannels * plane) { output in
            withBaseAddresses(input, weight, biasValues) { x, w, b in
                parallelFor(images) { range in
                    withPaddedImages(geometry: g) { padded in
                        for image in range {
                            let source = padded(x + image * g.inputPlane)
                            for o in 0..<outputChannels {
                                convolvePlane(
                                    source, filter: w + o * g.kernelArea, bias: b[o], geometry: g,
                                    into: output + (image * outputChannels + o) * plane)
                            }
                        }
                    }
                }
            }
        }
    }

    /// dW [OC, kh * kw] and db [OC] from the output gradient [N, OC, oh, ow] and the images.
    /// Each core sums its share of the images; the shares are added in order, so the result
    /// depends on the thread count but not on timing.
    static func weightGradient(
        _ gradient: [Float], input: [Float], images: Int, outputChannels: Int, geometry g: ConvolutionGeometry
    ) -> (weight: [Float], bias: [Float]) {
        let (plane, taps) = (g.outputPlane, g.kernelArea)
        // Per share: every filter's taps, then its bias.
        let stride = outputChannels * (taps + 1)
        let parts = parallelParts(images)
        var partials = [Float](repeating: 0, count: parts * stride)
        withBaseAddresses(gradient, input) { gBase, x in
            partials.withUnsafeMutableBufferPointer { partialBuffer in
                guard let partialBase = partialBuffer.baseAddress else { return }
                parallelFor(images) { part, range in
                    let sums = partialBase + part * stride
                    ScratchBuffer.with(count: (taps + 1) * plane) { windows in
                        // The last row is all ones: its products with g are the bias gradient.
                        (windows + taps * plane).update(repeating: 1, count: plane)
                        for image in range {
                            Im2col.im2col(x + image * g.inputPlane, channels: 1, geometry: g, into: windows)
                            let gImage = gBase + image * outputChannels * plane
                            // Blocks of four filters by two window rows: eight sums per pass.
                            var o = 0
                            while o < outputChannels {
                                let filters = Swift.min(4, outputChannels - o)
                                var t = 0
                                while t <= taps {
                                    let rows = Swift.min(2, taps + 1 - t)
                                    let products = dotProducts(
                                        gImage + o * plane, filters: filters, windows + t * plane, rows: rows,
                                        length: plane)
                                    for q in 0..<filters {
                                        for r in 0..<rows { sums[(o + q) * (taps + 1) + t + r] += products[2 * q + r] }
                                    }
                                    t += rows
                                }
                                o += filters
                            }
                        }
                    }
                }
            }
        }
        var dw = [Float](repeating: 0, count: outputChannels * taps)
        var db = [Float](repeating: 0, count: outputChannels)
        for part in 0..<parts {
            for o in 0..<outputChannels {
                for t in 0..<taps { dw[o * taps + t] += partials[part * stride + o * (taps + 1) + t] }
                db[o] += partials[part * stride + o * (taps + 1) + taps]
            }
        }
        return (dw, db)
    }

    // MARK: The loops over one plane

    /// Width of the image with its padding: the distance between rows of what the loops read.
    private static func paddedWidth(_ g: ConvolutionGeometry) -> Int { g.inputWidth + 2 * g.paddingWidth }

    /// Runs `body` with a function giving, for an image, the address of its padded plane: the
    /// image itself without padding, else a copy with a border of zeros in a buffer of this core.
    private static func withPaddedImages(
        geometry g: ConvolutionGeometry, _ body: ((UnsafePointer<Float>) -> UnsafePointer<Float>) -> Void
    ) {
        guard g.paddingHeight > 0 || g.paddingWidth > 0 else { return body { $0 } }
        let width = paddedWidth(g), height = g.inputHeight + 2 * g.paddingHeight
        ScratchBuffer.with(count: width * height) { buffer in
            buffer.update(repeating: 0, count: width * height)
            body { image in
                // Only the inside is written; the zero border stays from the first clearing.
                for y in 0..<g.inputHeight {
                    (buffer + (y + g.paddingHeight) * width + g.paddingWidth).update(
                        from: image + y * g.inputWidth, count: g.inputWidth)
                }
                return UnsafePointer(buffer)
            }
        }
    }

    /// The x of each group of eight outputs in a row: 0, 8, 16, ..., and for a width that is not
    /// a multiple of 8 a last group ending at the row's end (overlapping the one before).
    @inline(__always)
    private static func groupStart(_ index: Int, width: Int) -> Int { Swift.min(8 * index, width - 8) }

    /// One output plane: out[y, x] = bias + sum_{i,j} filter[i, j] * source[y + i, x + j].
    private static func convolvePlane(
        _ source: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias: Float, geometry g: ConvolutionGeometry,
        into out: UnsafeMutablePointer<Float>
    ) {
        let (ow, oh, kh, kw, width) = (g.outputWidth, g.outputHeight, g.kernelHeight, g.kernelWidth, paddedWidth(g))
        let groups = (ow + 7) / 8
        // The bias is added last, after the products in the kernel's order: the same order of
        // operations as the GEMM's (whose last term is bias x 1), so both paths give the same bits.
        let b = SIMD8<Float>(repeating: bias)
        if kh == 3 && kw == 3 && oh >= 4 {
            return convolvePlane3x3(source, filter: filter, bias: b, geometry: g, into: out)
        }
        var y = 0
        // Four rows at a time: each weight is loaded once for four independent sums.
        while y + 4 <= oh {
            for group in 0..<groups {
                let x = groupStart(group, width: ow)
                var s0 = SIMD8<Float>(), s1 = s0, s2 = s0, s3 = s0
                for i in 0..<kh {
                    let row = source + (y + i) * width + x
                    for j in 0..<kw {
                        let w = SIMD8<Float>(repeating: filter[i * kw + j])
                        s0 = s0.addingProduct(load(row + j), w)
                        s1 = s1.addingProduct(load(row + width + j), w)
                        s2 = s2.addingProduct(load(row + 2 * width + j), w)
                        s3 = s3.addingProduct(load(row + 3 * width + j), w)
                    }
                }
                storeRows(s0, s1, s2, s3, plus: b, at: out + y * ow + x, rowLength: ow)
            }
            y += 4
        }
        while y < oh {
            for group in 0..<groups {
                let x = groupStart(group, width: ow)
                var s = SIMD8<Float>()
                for i in 0..<kh {
                    let row = source + (y + i) * width + x
                    for j in 0..<kw { s = s.addingProduct(load(row + j), SIMD8<Float>(repeating: filter[i * kw + j])) }
                }
                store(s + b, out + y * ow + x)
            }
            y += 1
        }
    }

    /// `convolvePlane` for the common 3x3 kernel, the same sums in the same order, written out: the
    /// nine weights stay in registers for the whole plane, and each of the six input rows that four
    /// output rows read is loaded once per shift (the compiler merges the repeated loads of the
    /// unrolled loop): 18 loads for 36 multiply-adds, against 45 in the general loop.
    private static func convolvePlane3x3(
        _ source: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias b: SIMD8<Float>,
        geometry g: ConvolutionGeometry,
        into out: UnsafeMutablePointer<Float>
    ) {
        let (ow, oh, width) = (g.outputWidth, g.outputHeight, paddedWidth(g))
        let groups = (ow + 7) / 8
        let weights = (
            (
                SIMD8<Float>(repeating: filter[0]), SIMD8<Float>(repeating: filter[1]),
                SIMD8<Float>(repeating: filter[2])
            ),
            (
                SIMD8<Float>(repeating: filter[3]), SIMD8<Float>(repeating: filter[4]),
                SIMD8<Float>(repeating: filter[5])
            ),
            (SIMD8<Float>(repeating: filter[6]), SIMD8<Float>(repeating: filter[7]), SIMD8<Float>(repeating: filter[8]))
        )
        // Rows four at a time, the last block moved up to end at the last row (the rows it repeats
        // are computed again, identically).
        var y = 0
        while y < oh {
            y = Swift.min(y, oh - 4)
            for group in 0..<groups {
                let x = groupStart(group, width: ow)
                let row = source + y * width + x
                var s0 = SIMD8<Float>(), s1 = s0, s2 = s0, s3 = s0
                // Filter row i for every output row before filter row i + 1, as the general loop.
                for i in 0..<3 {
                    let w = i == 0 ? weights.0 : i == 1 ? weights.1 : weights.2
                    s0 = addTaps(s0, row + i * width, w)
                    s1 = addTaps(s1, row + (i + 1) * width, w)
                    s2 = addTaps(s2, row + (i + 2) * width, w)
                    s3 = addTaps(s3, row + (i + 3) * width, w)
                }
                storeRows(s0, s1, s2, s3, plus: b, at: out + y * ow + x, rowLength: ow)
            }
            y += 4
        }
    }

    /// sum + row[0] w.0 + row[1] w.1 + row[2] w.2, eight outputs at once: one filter row.
    @inline(__always)
    private static func addTaps(
        _ sum: SIMD8<Float>, _ row: UnsafePointer<Float>, _ w: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    ) -> SIMD8<Float> {
        sum.addingProduct(load(row), w.0).addingProduct(load(row + 1), w.1).addingProduct(load(row + 2), w.2)
    }

    /// The dot products of up to four consecutive gradient planes g_q (q < filters) with up to two
    /// consecutive rows w_r (r < rows) of one image's windows, all of `length` values:
    /// result[2q + r] = sum_p g_q[p] * w_r[p]. Eight independent sums; each value loaded serves two
    /// or four of them.
    private static func dotProducts(
        _ g: UnsafePointer<Float>, filters: Int, _ w: UnsafePointer<Float>, rows: Int, length: Int
    ) -> SIMD8<Float> {
        // Planes and rows past the counts are read as the first again (never out of bounds); their
        // sums are not used.
        let g1 = filters > 1 ? g + length : g, g2 = filters > 2 ? g + 2 * length : g
        let g3 = filters > 3 ? g + 3 * length : g
        let w1 = rows > 1 ? w + length : w
        var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0
        var p = 0
        while p + 8 <= length {
            let u = load(w + p), v = load(w1 + p)
            let x0 = load(g + p), x1 = load(g1 + p), x2 = load(g2 + p), x3 = load(g3 + p)
            a0 = a0.addingProduct(x0, u)
            b0 = b0.addingProduct(x0, v)
            a1 = a1.addingProduct(x1, u)
            b1 = b1.addingProduct(x1, v)
            a2 = a2.addingProduct(x2, u)
            b2 = b2.addingProduct(x2, v)
            a3 = a3.addingProduct(x3, u)
            b3 = b3.addingProduct(x3, v)
            p += 8
        }
        var result = SIMD8<Float>(a0.sum(), b0.sum(), a1.sum(), b1.sum(), a2.sum(), b2.sum(), a3.sum(), b3.sum())
        while p < length {
            let gs = SIMD8<Float>(g[p], g[p], g1[p], g1[p], g2[p], g2[p], g3[p], g3[p])
            let ws = SIMD8<Float>(w[p], w1[p], w[p], w1[p], w[p], w1[p], w[p], w1[p])
            result = result.addingProduct(gs, ws)
            p += 1
        }
        return result
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Four rows of eight outputs, each plus the bias, one output row (`rowLength`) apart.
    @inline(__always)
    private static func storeRows(
        _ s0: SIMD8<Float>, _ s1: SIMD8<Float>, _ s2: SIMD8<Float>, _ s3: SIMD8<Float>, plus b: SIMD8<Float>,
        at target: UnsafeMutablePointer<Float>, rowLength: Int
    ) {
        store(s0 + b, target)
        store(s1 + b, target + rowLength)
        store(s2 + b, target + 2 * rowLength)
        store(s3 + b, target + 3 * rowLength)
    }

    @inline(__always)
    private static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
