import Autograd
import MatrixMath

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
    let problem = ConvolutionProblem(images: images, channels: channels, outputChannels: outputChannels, geometry: g)
    let inputData = input.data, weightData = weight.data
    let output = problem.forward(input: inputData, weight: weightData, bias: bias?.data)

    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    return Tensor.result(shape: [images, outputChannels, g.outputHeight, g.outputWidth], data: output,
                         inputs: inputs, name: "ConvolutionBackward0") { gradient, needs in
        let (dx, dw) = problem.backward(gradient: gradient, input: inputData, weight: weightData,
                                        needsInput: needs[0], needsWeight: needs[1])
        var grads: [[Float]?] = [dx, dw]
        if inputs.count == 3 {
            grads.append(needs[2] ? channelSums(gradient, images: images, channels: outputChannels, plane: g.outputPlane) : nil)
        }
        return grads
    }
}

/// The sizes of one convolution and its forward and backward computations on raw arrays.
struct ConvolutionProblem {
    let images: Int, channels: Int, outputChannels: Int
    let geometry: ConvolutionGeometry

    /// Rows of cols: one per (channel, kernel row, kernel column).
    var windowSize: Int { channels * geometry.kernelArea }
    var inputSize: Int { channels * geometry.inputPlane }
    var outputSize: Int { outputChannels * geometry.outputPlane }

    /// A 1x1 kernel with stride 1 and no padding reads the image as it is: cols is the image.
    var colsIsImage: Bool {
        geometry.kernelArea == 1 && geometry.strideHeight == 1 && geometry.strideWidth == 1
            && geometry.paddingHeight == 0 && geometry.paddingWidth == 0
    }

    /// Makes `cols` for `image`, or returns the image itself when it already is cols.
    func columns(of image: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if colsIsImage { return image }
        Im2col.im2col(image, channels: channels, geometry: geometry, into: scratch)
        return UnsafePointer(scratch)
    }

    func forward(input: [Float], weight: [Float], bias: [Float]?) -> [Float] {
        let (k, p, oc) = (windowSize, geometry.outputPlane, outputChannels)
        return [Float](uninitializedCount: images * outputSize) { output in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    guard let xBase = x.baseAddress, let wBase = w.baseAddress else { return }
                    parallelFor(images) { range in
                        ScratchBuffer.with(count: k * p) { scratch in
                            for image in range {
                                let cols = columns(of: xBase + image * inputSize, scratch: scratch)
                                let target = output + image * outputSize
                                // out [OC, P] = W [OC, K] * cols [K, P]
                                gemm(m: oc, n: p, k: k, a: wBase, lda: k, b: cols, ldb: p,
                                     c: target, ldc: p, kernel: .packed)
                                if let bias {
                                    for channel in 0..<oc {
                                        let row = target + channel * p, value = bias[channel]
                                        for position in 0..<p { row[position] += value }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The input and weight gradients (each only when needed) for an output gradient.
    func backward(gradient: [Float], input: [Float], weight: [Float], needsInput: Bool, needsWeight: Bool)
        -> (input: [Float]?, weight: [Float]?) {
        let (k, p, oc) = (windowSize, geometry.outputPlane, outputChannels)
        let parts = parallelParts(images)
        // Each part of the batch sums its own dW^T [K, OC]; the parts are added at the end, in
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
                                ScratchBuffer.with(count: 2 * k * p) { scratch in
                                    for image in range {
                                        let gImage = gBase + image * outputSize
                                        if needsWeight, let partial = partialBuffer.baseAddress {
                                            // dW^T [K, OC] += cols [K, P] * g^T [P, OC]
                                            let cols = columns(of: xBase + image * inputSize, scratch: scratch)
                                            gemm(transB: .transposed, m: k, n: oc, k: p, a: cols, lda: p, b: gImage, ldb: p,
                                                 beta: 1, c: partial + part * k * oc, ldc: oc, kernel: .packed)
                                        }
                                        if needsInput, let dxBase = dxBuffer.baseAddress {
                                            // dcols [K, P] = W^T [K, OC] * g [OC, P], then back onto the image
                                            let dcols = scratch + k * p
                                            gemm(transA: .transposed, m: k, n: p, k: oc, a: wBase, lda: k, b: gImage, ldb: p,
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
        var dw: [Float]? = nil
        if needsWeight {
            // Sum the parts' dW^T and transpose to PyTorch's [OC, C, kh, kw].
            dw = [Float](repeating: 0, count: oc * k)
            for part in 0..<parts {
                for row in 0..<k {
                    for column in 0..<oc { dw![column * k + row] += partials[(part * k + row) * oc + column] }
                }
            }
        }
        return (needsInput ? dx : nil, dw)
    }
}

/// Sums an NCHW gradient over images and positions: one value per channel (the bias gradient).
/// Each plane is summed with eight SIMD lanes, the images shared between the cores, and the
/// per-part sums added in order (reproducible for a given thread count).
func channelSums(_ gradient: [Float], images: Int, channels: Int, plane: Int) -> [Float] {
    let parts = parallelParts(images)
    var partials = [Double](repeating: 0, count: parts * channels)
    gradient.withUnsafeBufferPointer { g in
        partials.withUnsafeMutableBufferPointer { partial in
            guard let gBase = g.baseAddress, let partialBase = partial.baseAddress else { return }
            parallelFor(images) { part, range in
                for image in range {
                    for channel in 0..<channels {
                        let row = gBase + (image * channels + channel) * plane
                        var lanes = SIMD8<Float>()
                        var position = 0
                        while position + 8 <= plane {
                            lanes += UnsafeRawPointer(row + position).loadUnaligned(as: SIMD8<Float>.self)
                            position += 8
                        }
                        var total = lanes.sum()
                        while position < plane {
                            total += row[position]
                            position += 1
                        }
                        partialBase[part * channels + channel] += Double(total)
                    }
                }
            }
        }
    }
    return (0..<channels).map { channel in
        Float((0..<parts).reduce(0.0) { $0 + partials[$1 * channels + channel] })
    }
}
