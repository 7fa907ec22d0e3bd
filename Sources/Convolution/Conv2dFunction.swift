import Autograd
import MatrixMath
import Parallel

/// The 2-D convolution as a differentiable operation (PyTorch's `F.conv2d`), computed image by
/// image as im2col and the tiled GEMM, the images of a batch shared between the cores.
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
/// (a Linear layer's three formulas, applied to every window). Nothing of the batch's size is
/// kept between forward and backward but the input itself: the backward pass runs im2col again,
/// which costs a copy and saves storing every window of every image.
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
    let problem = ConvolutionProblem(images: images, channels: channels, outputChannels: outputChannels,
                                     geometry: g, hasBias: bias != nil)
    let inputData = input.data
    let weightData = problem.augmentedWeight(weight.data, bias: bias?.data)
    // When the weight gradient will be needed, the windows of every image are kept from the
    // forward pass for the backward pass (a leased, reused buffer), instead of being copied out
    // of the input a second time.
    let keepColumns = GradMode.isEnabled && (weight.requiresGrad || (bias?.requiresGrad ?? false))
    let kept = keepColumns ? ScratchBuffer.lease(count: images * problem.depth * g.outputPlane) : nil
    let output = problem.forward(input: inputData, weight: weightData, keepingColumnsIn: kept)

    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    return Tensor.result(shape: [images, outputChannels, g.outputHeight, g.outputWidth], data: output,
                         inputs: inputs, name: "ConvolutionBackward0") { gradient, needs in
        let (dx, dw, db) = problem.backward(gradient: gradient, input: inputData, weight: weightData,
                                            needsInput: needs[0], needsWeight: needs[1] || (inputs.count == 3 && needs[2]),
                                            keptColumns: kept)
        var grads: [[Float]?] = [dx, needs[1] ? dw : nil]
        if inputs.count == 3 { grads.append(needs[2] ? db : nil) }
        return grads
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

    /// A scratch buffer for cols whose bias row, when there is one, already holds ones.
    func withColumnsBuffer(extra: Int = 0, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        let p = geometry.outputPlane
        ScratchBuffer.with(count: depth * p + extra) { scratch in
            if hasBias {
                let ones = scratch + windowSize * p
                for position in 0..<p { ones[position] = 1 }
            }
            body(scratch)
        }
    }

    /// The forward pass; with `kept`, each image's cols stay in its slot of that buffer.
    func forward(input: [Float], weight: [Float], keepingColumnsIn kept: ScratchBuffer.Lease? = nil) -> [Float] {
        let (k, p, oc) = (depth, geometry.outputPlane, outputChannels)
        return [Float](uninitializedCount: images * outputSize) { output in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    guard let xBase = x.baseAddress, let wBase = w.baseAddress else { return }
                    parallelFor(images) { range in
                        withColumnsBuffer { scratch in
                            for image in range {
                                let cols = kept.map { $0.pointer + image * k * p } ?? scratch
                                if kept != nil && hasBias {
                                    for position in 0..<p { cols[windowSize * p + position] = 1 }
                                }
                                Im2col.im2col(xBase + image * inputSize, channels: channels, geometry: geometry, into: cols)
                                // out [OC, P] = [W | b] [OC, depth] * [cols; ones] [depth, P]
                                gemm(m: oc, n: p, k: k, a: wBase, lda: k, b: cols, ldb: p,
                                     c: output + image * outputSize, ldc: p, kernel: .packed)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The input gradient, the weight gradient and the bias gradient (each only when asked; the
    /// bias gradient comes with the weight gradient).
    func backward(gradient: [Float], input: [Float], weight: [Float], needsInput: Bool, needsWeight: Bool,
                  keptColumns kept: ScratchBuffer.Lease? = nil) -> (input: [Float]?, weight: [Float]?, bias: [Float]?) {
        let (k, p, oc, windows) = (depth, geometry.outputPlane, outputChannels, windowSize)
        let parts = parallelParts(images)
        // Each part of the batch sums its own dW^T [depth, OC]; the parts are added at the end, in
        // order, so the result depends on the thread count but not on timing.
        var partials = [Float](repeating: 0, count: needsWeight ? parts * k * oc : 0)
        var dx = [Float](repeating: 0, count: needsInput ? images * inputSize : 0)
        gradient.withUnsafeBufferPointer { gBuffer in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    partials.withUnsafeMutableBufferPointer { partialBuffer in
                        dx.withUnsafeMutableBufferPointer { dxBuffer in
                            guard let gBase = gBuffer.baseAddress, let xBase = x.baseAddress, let wBase = w.baseAddress else { return }
                            parallelFor(images) { part, range in
                                withColumnsBuffer(extra: windows * p) { scratch in
                                    let cols = scratch, dcols = scratch + k * p
                                    for image in range {
                                        let gImage = gBase + image * outputSize
                                        if needsWeight, let partial = partialBuffer.baseAddress {
                                            // dW^T [depth, OC] += [cols; ones] [depth, P] * g^T [P, OC]
                                            var imageColumns = UnsafePointer(cols)
                                            if let kept {
                                                imageColumns = UnsafePointer(kept.pointer + image * k * p)
                                            } else {
                                                Im2col.im2col(xBase + image * inputSize, channels: channels, geometry: geometry, into: cols)
                                            }
                                            gemm(transB: .transposed, m: k, n: oc, k: p, a: imageColumns, lda: p, b: gImage, ldb: p,
                                                 beta: 1, c: partial + part * k * oc, ldc: oc, kernel: .packed)
                                        }
                                        if needsInput, let dxBase = dxBuffer.baseAddress {
                                            // dcols [K, P] = W^T [K, OC] * g [OC, P] (W without its bias column),
                                            // then back onto the image
                                            gemm(transA: .transposed, m: windows, n: p, k: oc, a: wBase, lda: k, b: gImage, ldb: p,
                                                 c: dcols, ldc: p, kernel: .packed)
                                            Im2col.col2im(dcols, channels: channels, geometry: geometry,
                                                          into: dxBase + image * inputSize)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard needsWeight else { return (needsInput ? dx : nil, nil, nil) }
        // Sum the parts' dW^T, transpose to PyTorch's [OC, C, kh, kw], and split off the bias row.
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
        return (needsInput ? dx : nil, dw, hasBias ? db : nil)
    }
}
