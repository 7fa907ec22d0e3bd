import Autograd
import MatrixMath

/// The 2-D convolution as a differentiable operation (PyTorch's `F.conv2d`), computed by im2col and
/// the tiled GEMM.
///
///     out[n, o, y, x] = bias[o] + sum_{c, i, j} weight[o, c, i, j] * in[n, c, y*s + i - p, x*s + j - p]
///
/// Forward: cols = im2col(in), [n*oh*ow, C*kh*kw]; out = cols W^T + b, [n*oh*ow, OC], rearranged to
/// NCHW. Backward, with g the output gradient rearranged to [n*oh*ow, OC]:
///
///     dW    = g^T cols           [OC, C*kh*kw]    each weight: sum of input times output gradient
///     db    = sum of g's rows    [OC]
///     dcols = g W                [n*oh*ow, C*kh*kw], then col2im adds it back onto the input
///
/// (the same three formulas as a Linear layer's, applied to the windows).
///
/// ## Shape
/// - input [N, C, H, W], weight [OC, C, kh, kw], bias [OC] -> [N, OC, oh, ow] with
///   oh = (H + 2p_h - kh) / s_h + 1 and ow = (W + 2p_w - kw) / s_w + 1
///
/// ```swift
/// let y = conv2d(x, weight: w, bias: b, stride: (1, 1), padding: (1, 1))
/// ```
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1),
                   padding: (Int, Int) = (0, 0), layerName: String = "conv2d") -> Tensor {
    precondition(input.rank == 4,
                 "\(layerName): expected input [N, C, H, W], got \(input.shapeText)")
    precondition(weight.rank == 4, "\(layerName): expected weight [OC, C, kh, kw], got \(weight.shapeText)")
    let (images, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (outputChannels, kernelHeight, kernelWidth) = (weight.shape[0], weight.shape[2], weight.shape[3])
    precondition(weight.shape[1] == channels,
                 "\(layerName): input \(input.shapeText) has \(channels) channels but weight \(weight.shapeText) expects \(weight.shape[1])")
    if let bias {
        precondition(bias.shape == [outputChannels],
                     "\(layerName): bias \(bias.shapeText) does not match weight \(weight.shapeText) (expected [\(outputChannels)])")
    }
    guard let g = ConvolutionGeometry(inputHeight: height, inputWidth: width, kernel: (kernelHeight, kernelWidth),
                                      stride: stride, padding: padding) else {
        preconditionFailure("\(layerName): kernel \(kernelHeight)x\(kernelWidth) with stride \(stride) does not fit input \(height)x\(width) padded by \(padding) (kernel larger than the padded input, or a size below 1)")
    }
    let rows = images * g.outputPlane
    let rowLength = channels * g.kernelArea
    let plane = g.outputPlane

    // cols = im2col(input)
    var cols = [Float](repeating: 0, count: rows * rowLength)
    input.data.withUnsafeBufferPointer { x in
        cols.withUnsafeMutableBufferPointer { c in
            if let xBase = x.baseAddress, let cBase = c.baseAddress {
                Im2col.im2col(xBase, images: images, channels: channels, geometry: g, into: cBase)
            }
        }
    }
    // [rows, OC] = cols [rows, K] x W^T, W being [OC, K]
    var product = [Float](repeating: 0, count: rows * outputChannels)
    gemm(transB: .transposed, m: rows, n: outputChannels, k: rowLength,
         a: cols, lda: Swift.max(rowLength, 1), b: weight.data, ldb: Swift.max(rowLength, 1),
         c: &product, ldc: outputChannels)
    // Rearrange [n, position, OC] to NCHW [n, OC, position], adding the bias on the way.
    var output = [Float](repeating: 0, count: rows * outputChannels)
    let biasValues = bias?.data ?? [Float](repeating: 0, count: outputChannels)
    transposeBatch(product, images: images, rows: plane, columns: outputChannels, into: &output, adding: biasValues)

    let weightData = weight.data
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    return Tensor.result(shape: [images, outputChannels, g.outputHeight, g.outputWidth], data: output,
                         inputs: inputs, name: "ConvolutionBackward0") { gradient, needs in
        // g as [n * position, OC], the layout of the forward product.
        var g2 = [Float](repeating: 0, count: gradient.count)
        transposeBatch(gradient, images: images, rows: outputChannels, columns: plane, into: &g2, adding: nil)
        var grads: [[Float]?] = [nil, nil]
        if needs[1] {   // dW = g^T cols: [OC, rows] x [rows, K]
            var dw = [Float](repeating: 0, count: outputChannels * rowLength)
            gemm(transA: .transposed, m: outputChannels, n: rowLength, k: rows,
                 a: g2, lda: outputChannels, b: cols, ldb: Swift.max(rowLength, 1), c: &dw, ldc: Swift.max(rowLength, 1))
            grads[1] = dw
        }
        if needs[0] {   // dcols = g W: [rows, OC] x [OC, K], then col2im
            var dcols = [Float](repeating: 0, count: rows * rowLength)
            gemm(m: rows, n: rowLength, k: outputChannels, a: g2, lda: outputChannels,
                 b: weightData, ldb: Swift.max(rowLength, 1), c: &dcols, ldc: Swift.max(rowLength, 1))
            var dx = [Float](repeating: 0, count: images * channels * height * width)
            dcols.withUnsafeBufferPointer { c in
                dx.withUnsafeMutableBufferPointer { d in
                    if let cBase = c.baseAddress, let dBase = d.baseAddress {
                        Im2col.col2im(cBase, images: images, channels: channels, geometry: g, into: dBase)
                    }
                }
            }
            grads[0] = dx
        }
        if inputs.count == 3 {
            grads.append(needs[2] ? channelSums(gradient, images: images, channels: outputChannels, plane: plane) : nil)
        }
        return grads
    }
}

/// For each of `images` blocks, transposes a [rows, columns] matrix into [columns, rows], adding
/// `adding[column]` to every value of output row `column` when given. In parallel over images.
func transposeBatch(_ source: [Float], images: Int, rows: Int, columns: Int, into target: inout [Float], adding: [Float]?) {
    let block = rows * columns
    source.withUnsafeBufferPointer { s in
        target.withUnsafeMutableBufferPointer { t in
            guard let sBase = s.baseAddress, let tBase = t.baseAddress else { return }
            let offsets = adding ?? [Float](repeating: 0, count: columns)
            offsets.withUnsafeBufferPointer { b in
                parallelFor(images) { range in
                    for image in range {
                        let from = sBase + image * block, to = tBase + image * block
                        // Tiles of 16 rows keep the strided writes within a few cache lines.
                        for r0 in stride(from: 0, to: rows, by: 16) {
                            let r1 = Swift.min(r0 + 16, rows)
                            for c in 0..<columns {
                                let offset = b[c]
                                let destination = to + c * rows
                                for r in r0..<r1 { destination[r] = from[r * columns + c] + offset }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Sums an NCHW gradient over images and positions: one value per channel (the bias gradient).
func channelSums(_ gradient: [Float], images: Int, channels: Int, plane: Int) -> [Float] {
    var sums = [Double](repeating: 0, count: channels)
    gradient.withUnsafeBufferPointer { g in
        for image in 0..<images {
            for channel in 0..<channels {
                let base = (image * channels + channel) * plane
                var total: Float = 0
                for position in 0..<plane { total += g[base + position] }
                sums[channel] += Double(total)
            }
        }
    }
    return sums.map { Float($0) }
}
