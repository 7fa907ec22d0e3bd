/// im2col and col2im: turning a convolution into a matrix product.
///
/// A convolution multiplies every C x kh x kw window of the input by each filter and sums. Copy
/// the windows of one image out as the *columns* of a matrix ("image to columns"):
///
///     cols[c*kh*kw + i*kw + j, y*ow + x] = in[c, y*s + i - p, x*s + j - p]     (0 in the padding)
///
/// and the whole convolution of that image is one GEMM with the filters flattened to rows:
///
///     out[OC, oh*ow] = weight[OC, C*kh*kw] * cols[C*kh*kw, oh*ow]
///
/// whose result is already the image's NCHW output. The copy costs memory (each input value
/// appears in up to kh * kw columns) but lets the tiled SIMD GEMM do all the arithmetic. `col2im`
/// is the reverse, for the backward pass: it adds every entry of a cols-shaped gradient back onto
/// the input position it was copied from, so a position used by several windows gets the sum.
///
/// Row r = (c, i, j) of cols reads input row y = oh*s + i - p, columns x = ow*s + j - p: for
/// stride 1 a contiguous run of the input row, so both functions move whole runs at a time.
enum Im2col {
    /// Fills `cols` ([channels * kernelArea, outputPlane]) from one image (`channels` planes).
    static func im2col(
        _ image: UnsafePointer<Float>, channels: Int, geometry g: ConvolutionGeometry,
        into cols: UnsafeMutablePointer<Float>
    ) {
        var row = cols
        for channel in 0..<channels {
            let plane = image + channel * g.inputPlane
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let (first, end) = validOutputColumns(kernelColumn: j, geometry: g)
                    for oy in 0..<g.outputHeight {
                        let target = row + oy * g.outputWidth
                        let y = oy * g.strideHeight + i - g.paddingHeight
                        // Runs are short (a row of the output): plain loops, which the compiler
                        // vectorises, beat a memmove or memset call per run.
                        guard y >= 0 && y < g.inputHeight && first < end else {
                            for x in 0..<g.outputWidth { target[x] = 0 }
                            continue
                        }
                        for x in 0..<first { target[x] = 0 }
                        let source = plane + y * g.inputWidth + j - g.paddingWidth
                        if g.strideWidth == 1 {
                            for x in first..<end { target[x] = source[x] }
                        } else {
                            for x in first..<end { target[x] = source[x * g.strideWidth] }
                        }
                        for x in end..<g.outputWidth { target[x] = 0 }
                    }
                    row += g.outputPlane
                }
            }
        }
    }

    /// Adds `cols` ([channels * kernelArea, outputPlane]) back onto one image's input gradient
    /// (`channels` planes, which the caller has zeroed or wants added to).
    static func col2im(
        _ cols: UnsafePointer<Float>, channels: Int, geometry g: ConvolutionGeometry,
        into image: UnsafeMutablePointer<Float>
    ) {
        var row = cols
        for channel in 0..<channels {
            let plane = image + channel * g.inputPlane
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let (first, end) = validOutputColumns(kernelColumn: j, geometry: g)
                    if first < end {
                        for oy in 0..<g.outputHeight {
                            let y = oy * g.strideHeight + i - g.paddingHeight
                            guard y >= 0 && y < g.inputHeight else { continue }
                            let source = row + oy * g.outputWidth
                            let target = plane + y * g.inputWidth + j - g.paddingWidth
                            if g.strideWidth == 1 {
                                for x in first..<end { target[x] += source[x] }
                            } else {
                                for x in first..<end { target[x * g.strideWidth] += source[x] }
                            }
                        }
                    }
                    row += g.outputPlane
                }
            }
        }
    }

    /// The output columns x whose input column x*s + j - p lies inside the image: [first, end).
    @inline(__always)
    static func validOutputColumns(kernelColumn j: Int, geometry g: ConvolutionGeometry) -> (Int, Int) {
        let offset = j - g.paddingWidth
        // Smallest x with x*s + offset >= 0, and smallest x with x*s + offset >= inputWidth.
        let first = offset >= 0 ? 0 : (-offset + g.strideWidth - 1) / g.strideWidth
        let limit = g.inputWidth - offset
        let end = limit <= 0 ? 0 : Swift.min(g.outputWidth, (limit + g.strideWidth - 1) / g.strideWidth)
        return (Swift.min(first, end), end)
    }
}
