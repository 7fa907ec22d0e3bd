import MatrixMath

/// im2col and col2im: turning a convolution into a matrix product.
///
/// A convolution multiplies every C x kh x kw window of the input by each filter and sums. If
/// every window is copied out as one row of a matrix ("image to columns", here laid out as
/// rows), the whole convolution becomes one GEMM:
///
///     cols    [n * oh * ow, C * kh * kw]     one row per output position of every image
///     weight  [OC, C * kh * kw]              one row per filter (PyTorch's layout, flattened)
///     output  = cols * weight^T              [n * oh * ow, OC]
///
/// The copy costs memory (each input value appears in up to kh * kw rows) but lets the tiled SIMD
/// GEMM do all the arithmetic. Rows of a window that fall in the zero padding are written as
/// zeros. `col2im` is the reverse, for the backward pass: it adds each row's values back onto the
/// input positions they were copied from (a position used by several windows gets the sum).
///
/// Both run in parallel over the images of the batch.
enum Im2col {
    /// Fills `cols` ([images * outputPlane, channels * kernelArea]) from `input` (NCHW).
    static func im2col(_ input: UnsafePointer<Float>, images: Int, channels: Int, geometry g: ConvolutionGeometry,
                       into cols: UnsafeMutablePointer<Float>) {
        let rowLength = channels * g.kernelArea
        parallelFor(images) { range in
            for image in range {
                let imageBase = input + image * channels * g.inputPlane
                var row = cols + image * g.outputPlane * rowLength
                for oh in 0..<g.outputHeight {
                    let top = oh * g.strideHeight - g.paddingHeight
                    for ow in 0..<g.outputWidth {
                        let left = ow * g.strideWidth - g.paddingWidth
                        var position = row
                        for channel in 0..<channels {
                            let plane = imageBase + channel * g.inputPlane
                            for kh in 0..<g.kernelHeight {
                                let y = top + kh
                                if y < 0 || y >= g.inputHeight {
                                    position.update(repeating: 0, count: g.kernelWidth)
                                } else if left >= 0 && left + g.kernelWidth <= g.inputWidth {
                                    // The whole kernel row is inside the image: one contiguous copy.
                                    position.update(from: plane + y * g.inputWidth + left, count: g.kernelWidth)
                                } else {
                                    for kw in 0..<g.kernelWidth {
                                        let x = left + kw
                                        position[kw] = x >= 0 && x < g.inputWidth ? plane[y * g.inputWidth + x] : 0
                                    }
                                }
                                position += g.kernelWidth
                            }
                        }
                        row += rowLength
                    }
                }
            }
        }
    }

    /// Adds every row of `cols` back onto the input positions it was read from: `gradient`
    /// (NCHW, zeroed by the caller) receives the sum over all windows.
    static func col2im(_ cols: UnsafePointer<Float>, images: Int, channels: Int, geometry g: ConvolutionGeometry,
                       into gradient: UnsafeMutablePointer<Float>) {
        let rowLength = channels * g.kernelArea
        parallelFor(images) { range in
            for image in range {
                let imageBase = gradient + image * channels * g.inputPlane
                var row = cols + image * g.outputPlane * rowLength
                for oh in 0..<g.outputHeight {
                    let top = oh * g.strideHeight - g.paddingHeight
                    for ow in 0..<g.outputWidth {
                        let left = ow * g.strideWidth - g.paddingWidth
                        var position = row
                        for channel in 0..<channels {
                            let plane = imageBase + channel * g.inputPlane
                            for kh in 0..<g.kernelHeight {
                                let y = top + kh
                                if y >= 0 && y < g.inputHeight {
                                    for kw in 0..<g.kernelWidth {
                                        let x = left + kw
                                        if x >= 0 && x < g.inputWidth { plane[y * g.inputWidth + x] += position[kw] }
                                    }
                                }
                                position += g.kernelWidth
                            }
                        }
                        row += rowLength
                    }
                }
            }
        }
    }
}
