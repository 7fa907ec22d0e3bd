import Autograd
import MatrixMath
import Parallel

/// The 2-D convolution as a differentiable operation (PyTorch's `F.conv2d`), computed image by
/// image as im2col and the tiled GEMM, the images of a batch shared between the cores. Two common
/// cases take faster routes to the same result: one input channel (`SingleChannelConvolution`) and
/// a 3x3 kernel with stride 1 (`WinogradConvolution`).
///
///     out[n, o, y, x] = bias[o] + sum_{c, i, j} weight[o, c, i, j] * in[n, c, y*s + i - p, x*s + j - p]
///
/// For each image, with cols = im2col(image) of shape [C*kh*kw, oh*ow], W the weight as
/// [OC, C*kh*kw] and g the image's output gradient as [OC, oh*ow]:
///
///     forward:  out   = W cols + b              [OC, oh*ow], already NCHW
///     weight:   dW   += g cols^T                summed over the images (computed as dW^T = cols g^T)
///     bias:     db   += sum of g over positions
///     input:    dcols = W^T g, then col2im adds each column back onto the input positions
///
/// (a Linear layer's three formulas, applied to every window). When the weight gradient will be
/// needed, the forward pass keeps every image's cols (in a leased, reused scratch buffer) for the
/// backward pass, which then reads them instead of copying the windows out of the input again;
/// the input gradient needs only the weight and g.
///
/// ## Shape
/// - input [N, C, H, W], weight [OC, C, kh, kw], bias [OC] -> [N, OC, oh, ow] with
///   oh = (H + 2p_h - kh) / s_h + 1 and ow = (W + 2p_w - kw) / s_w + 1
///
/// ```swift
/// let y = conv2d(x, weight: w, bias: b, stride: (1, 1), padding: (1, 1))
/// ```
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1),
    padding: (Int, Int) = (0, 0), layerName: String = "conv2d"
) -> Tensor {
    precondition(
        input.rank == 4,
        "\(layerName): expected input [N, C, H, W], got \(input.shapeText)")
    precondition(weight.rank == 4, "\(layerName): expected weight [OC, C, kh, kw], got \(weight.shapeText)")
    let (images, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (outputChannels, kernelHeight, kernelWidth) = (weight.shape[0], weight.shape[2], weight.shape[3])
    precondition(
        weight.shape[1] == channels,
        "\(layerName): input \(input.shapeText) has \(channels) channels but weight \(weight.shapeText) expects \(weight.shape[1])"
    )
    if let bias {
        precondition(
            bias.shape == [outputChannels],
            "\(layerName): bias \(bias.shapeText) does not match weight \(weight.shapeText) (expected [\(outputChannels)])"
        )
    }
    guard
        let g = ConvolutionGeometry(
            inputHeight: height, inputWidth: width, kernel: (kernelHeight, kernelWidth),
            stride: stride, padding: padding)
    else {
        preconditionFailure(
            "\(layerName): kernel \(kernelHeight)x\(kernelWidth) with stride \(stride) does not fit input \(height)x\(width) padded by \(padding) (kernel larger than the padded input, or a size below 1)"
        )
    }
    let problem = ConvolutionProblem(
        images: images, channels: channels, outputChannels: outputChannels,
        geometry: g, hasBias: bias != nil)
    let weightAndBias = problem.augmentedWeight(weight.data, bias: bias?.data)
    let needsWeightGradient = GradMode.isEnabled && (weight.requiresGrad || (bias?.requiresGrad ?? false))
    // One product per image: the filters [OC, C kh kw] times its windows [C kh kw, oh ow].
    FLOPCount.recordProduct(
        m: outputChannels, n: images * g.outputPlane, k: channels * kernelHeight * kernelWidth,
        needs: (input.requiresGrad, weight.requiresGrad))
    // A single-channel first layer is convolved straight from the image (see
    // SingleChannelConvolution); everything else goes through im2col and the GEMM.
    if SingleChannelConvolution.handles(channels: channels, geometry: g) {
        let (pixels, filters) = (input.data, weight.data)
        let output = SingleChannelConvolution.forward(
            input: pixels, images: images, weight: filters, bias: bias?.data, outputChannels: outputChannels,
            geometry: g)
        return Tensor.result(
            shape: [images, outputChannels, g.outputHeight, g.outputWidth], data: output,
            inputs: [input, weight], bias: bias, name: "ConvolutionBackward0"
        ) { gradient, needs in
            let dx = needs[0] ? problem.inputGradient(gradient, weight: weightAndBias) : nil
            guard needs[1] || needs[2] else { return [dx, nil, nil] }
            let (dw, db) = SingleChannelConvolution.weightGradient(
                gradient, input: pixels, images: images, outputChannels: outputChannels, geometry: g)
            return [dx, needs[1] ? dw : nil, needs[2] ? db : nil]
        }
    }
    // A 3x3 kernel with stride 1 takes Winograd's shortcut: 16 multiplications per 2x2 outputs
    // and channel pair instead of 36, or in batches of 8 or more 36 per 4x4 outputs instead of 144
    // (see WinogradConvolution).
    if WinogradConvolution.handles(channels: channels, outputChannels: outputChannels, geometry: g) {
        let winograd = WinogradConvolution(
            images: images, channels: channels, outputChannels: outputChannels, geometry: g)
        let (pixels, filters) = (input.data, winograd.transformedFilters(weight.data))
        let output = winograd.forward(input: pixels, filters: filters, bias: bias?.data)
        return Tensor.result(
            shape: [images, outputChannels, g.outputHeight, g.outputWidth], data: output,
            inputs: [input, weight], bias: bias, name: "ConvolutionBackward0"
        ) { gradient, needs in
            let (dx, dw, db) = winograd.backward(
                gradient: gradient, input: pixels, filters: filters, needsInput: needs[0],
                needsWeight: needs[1] || needs[2])
            return [dx, needs[1] ? dw : nil, needs[2] ? db : nil]
        }
    }
    let (output, columns) = problem.forward(
        input: input.data, weight: weightAndBias, keepingColumns: needsWeightGradient)

    return Tensor.result(
        shape: [images, outputChannels, g.outputHeight, g.outputWidth], data: output,
        inputs: [input, weight], bias: bias, name: "ConvolutionBackward0"
    ) { gradient, needs in
        let dx = needs[0] ? problem.inputGradient(gradient, weight: weightAndBias) : nil
        guard needs[1] || needs[2], let columns else { return [dx, nil, nil] }
        let (dw, db) = problem.weightGradient(gradient, columns: columns)
        return [dx, needs[1] ? dw : nil, needs[2] ? db : nil]
    }
}

/// The sizes of one convolution and its forward and backward computations on raw arrays.
///
/// The bias rides along inside the GEMM: with a bias, cols gets one more row of ones and the
/// weight one more column holding the bias, so W cols + b is a single product, and the last row of
/// the weight gradient, cols g^T, is the sum of g over positions: the bias gradient, for free.
struct ConvolutionProblem {
    let images: Int, channels: Int, outputChannels: Int
    let geometry: ConvolutionGeometry
    let hasBias: Bool

    /// Rows of cols from the windows: one per (channel, kernel row, kernel column).
    var windowSize: Int { channels * geometry.kernelArea }
    /// Rows of cols in the GEMM: the windows, plus the row of ones when there is a bias.
    var depth: Int { windowSize + (hasBias ? 1 : 0) }
    /// Floats in one image's cols.
    var columnsSize: Int { depth * geometry.outputPlane }
    var inputSize: Int { channels * geometry.inputPlane }
    var outputSize: Int { outputChannels * geometry.outputPlane }

    /// The weight as [OC, depth]: each filter's C*kh*kw weights, then its bias.
    func augmentedWeight(_ weight: [Float], bias: [Float]?) -> [Float] {
        guard let bias else { return weight }
        let k = windowSize
        return [Float](uninitializedCount: outputChannels * depth) { target in
            for channel in 0..<outputChannels {
                for index in 0..<k { target[channel * depth + index] = weight[channel * k + index] }
                target[channel * depth + k] = bias[channel]
            }
        }
    }

    /// Writes one image's cols: its windows, then the row of ones when there is a bias.
    func im2col(_ image: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>) {
        Im2col.im2col(image, channels: channels, geometry: geometry, into: cols)
        if hasBias {
            (cols + windowSize * geometry.outputPlane).update(repeating: 1, count: geometry.outputPlane)
        }
    }

    /// The forward pass, out [OC, P] = [W | b] [OC, depth] * [cols; ones] [depth, P] for every
    /// image; with `keepingColumns`, every image's cols stay in the returned lease (image n's at
    /// offset n * columnsSize) for the weight gradient.
    func forward(input: [Float], weight: [Float], keepingColumns: Bool) -> (
        output: [Float], columns: ScratchBuffer.Lease?
    ) {
        let (k, p, oc) = (depth, geometry.outputPlane, outputChannels)
        let kept = keepingColumns ? ScratchBuffer.lease(count: images * columnsSize) : nil
        let output = [Float](uninitializedCount: images * outputSize) { output in
            withBaseAddresses(input, weight) { x, w in
                parallelFor(images) { range in
                    ScratchBuffer.with(count: columnsSize) { scratch in
                        for image in range {
                            let cols = kept.map { $0.pointer + image * columnsSize } ?? scratch
                            im2col(x + image * inputSize, into: cols)
                            gemm(
                                m: oc, n: p, k: k, a: w, lda: k, b: cols, ldb: p,
                                c: output + image * outputSize, ldc: p, kernel: .packed)
                        }
                    }
                }
            }
        }
        return (output, kept)
    }

    /// The input gradient: for every image dcols [K, P] = W^T [K, OC] * g [OC, P] (W without its
    /// bias column), then col2im adds each column back onto the positions it was read from.
    func inputGradient(_ gradient: [Float], weight: [Float]) -> [Float] {
        let (k, p, oc, windows) = (depth, geometry.outputPlane, outputChannels, windowSize)
        // W^T [K, OC] is laid out once for the whole batch: every image's product then reads its
        // rows in place, where reading W transposed would gather them again for every image.
        let transposedWeight = [Float](uninitializedCount: windows * oc) { wt in
            for row in 0..<oc {
                for column in 0..<windows { wt[column * oc + row] = weight[row * k + column] }
            }
        }
        return [Float](uninitializedCount: images * inputSize) { dxBase in
            withBaseAddresses(gradient, transposedWeight) { g, wt in
                parallelFor(images) { range in
                    ScratchBuffer.with(count: windows * p) { dcols in
                        for image in range {
                            // Each image's gradient is cleared by the core that fills it, just
                            // before col2im adds into it (while it is in that core's cache).
                            (dxBase + image * inputSize).update(repeating: 0, count: inputSize)
                            gemm(
                                m: windows, n: p, k: oc, a: wt, lda: oc, b: g + image * outputSize, ldb: p,
                                c: dcols, ldc: p, kernel: .packed)
                            Im2col.col2im(
                                dcols, channels: channels, geometry: geometry, into: dxBase + image * inputSize)
                        }
                    }
                }
            }
        }
    }

    /// The weight and bias gradients from the cols the forward pass kept: dW^T [depth, OC] is the
    /// sum over images of [cols; ones] [depth, P] * g^T [P, OC]. Each part of the batch sums its
    /// own dW^T; the parts are added at the end, in order, so the result depends on the thread
    /// count but not on timing. Returned in PyTorch's layouts: dW [OC, C, kh, kw], db [OC].
    func weightGradient(_ gradient: [Float], columns: ScratchBuffer.Lease) -> (weight: [Float], bias: [Float]) {
        let (k, p, oc, windows) = (depth, geometry.outputPlane, outputChannels, windowSize)
        let parts = parallelParts(images)
        var partials = [Float](repeating: 0, count: parts * k * oc)
        gradient.withUnsafeBufferPointer { gBuffer in
            partials.withUnsafeMutableBufferPointer { partialBuffer in
                guard let g = gBuffer.baseAddress, let partial = partialBuffer.baseAddress else { return }
                parallelFor(images) { part, range in
                    for image in range {
                        gemm(
                            transB: .transposed, m: k, n: oc, k: p, a: columns.pointer + image * columnsSize, lda: p,
                            b: g + image * outputSize, ldb: p, beta: 1, c: partial + part * k * oc, ldc: oc,
                            kernel: .packed)
                    }
                }
            }
        }
        // Sum the parts' dW^T, transpose it to [OC, windows], and split off the bias row.
        var dw = [Float](repeating: 0, count: oc * windows)
        var db = [Float](repeating: 0, count: hasBias ? oc : 0)
        for part in 0..<parts {
            for row in 0..<windows {
                for column in 0..<oc { dw[column * windows + row] += partials[(part * k + row) * oc + column] }
            }
            if hasBias {
                for column in 0..<oc { db[column] += partials[(part * k + windows) * oc + column] }
            }
        }
        return (dw, db)
    }
}
