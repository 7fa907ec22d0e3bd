/// Plain-loop convolution and pooling: the definitions, written as directly as possible, one
/// multiply-add at a time. They are what the fast kernels are tested against, and the place to
/// read what a convolution *is* before reading how `conv2d` makes it fast.
///
/// All work on row-major NCHW arrays.
public enum ReferenceConvolution {
    /// out[n, o, y, x] = bias[o] + sum_{c, i, j} weight[o, c, i, j] * in[n, c, y*s_h + i - p_h, x*s_w + j - p_w],
    /// reading zero outside the input.
    public static func forward(
        input: [Float], inputShape: [Int], weight: [Float], weightShape: [Int], bias: [Float]?,
        stride: (Int, Int), padding: (Int, Int)
    ) -> (output: [Float], shape: [Int]) {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (oc, kh, kw) = (weightShape[0], weightShape[2], weightShape[3])
        let oh = (h + 2 * padding.0 - kh) / stride.0 + 1, ow = (w + 2 * padding.1 - kw) / stride.1 + 1
        var output = [Float](repeating: 0, count: n * oc * oh * ow)
        for image in 0..<n {
            for o in 0..<oc {
                for y in 0..<oh {
                    for x in 0..<ow {
                        var sum = bias?[o] ?? 0
                        for channel in 0..<c {
                            for i in 0..<kh {
                                for j in 0..<kw {
                                    let inY = y * stride.0 + i - padding.0, inX = x * stride.1 + j - padding.1
                                    guard inY >= 0, inY < h, inX >= 0, inX < w else { continue }
                                    sum +=
                                        weight[((o * c + channel) * kh + i) * kw + j]
                                        * input[((image * c + channel) * h + inY) * w + inX]
                                }
                            }
                        }
                        output[((image * oc + o) * oh + y) * ow + x] = sum
                    }
                }
            }
        }
        return (output, [n, oc, oh, ow])
    }

    /// The three gradients of `forward`, from its output gradient, by the same loops: every term
    /// weight * input of the forward sum sends gradient * input to the weight and
    /// gradient * weight to the input.
    public static func backward(
        outputGradient: [Float], input: [Float], inputShape: [Int], weight: [Float],
        weightShape: [Int], stride: (Int, Int), padding: (Int, Int)
    )
        -> (input: [Float], weight: [Float], bias: [Float])
    {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (oc, kh, kw) = (weightShape[0], weightShape[2], weightShape[3])
        let oh = (h + 2 * padding.0 - kh) / stride.0 + 1, ow = (w + 2 * padding.1 - kw) / stride.1 + 1
        var dInput = [Float](repeating: 0, count: input.count)
        var dWeight = [Float](repeating: 0, count: weight.count)
        var dBias = [Float](repeating: 0, count: oc)
        for image in 0..<n {
            for o in 0..<oc {
                for y in 0..<oh {
                    for x in 0..<ow {
                        let g = outputGradient[((image * oc + o) * oh + y) * ow + x]
                        dBias[o] += g
                        for channel in 0..<c {
                            for i in 0..<kh {
                                for j in 0..<kw {
                                    let inY = y * stride.0 + i - padding.0, inX = x * stride.1 + j - padding.1
                                    guard inY >= 0, inY < h, inX >= 0, inX < w else { continue }
                                    let inputIndex = ((image * c + channel) * h + inY) * w + inX
                                    let weightIndex = ((o * c + channel) * kh + i) * kw + j
                                    dWeight[weightIndex] += g * input[inputIndex]
                                    dInput[inputIndex] += g * weight[weightIndex]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dInput, dWeight, dBias)
    }

    /// Max (or, with `average`, mean) of each window of every plane; a window holding a NaN has the
    /// maximum NaN, as in PyTorch.
    public static func pool(
        input: [Float], inputShape: [Int], kernel: (Int, Int), stride: (Int, Int),
        average: Bool
    ) -> (output: [Float], shape: [Int]) {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let oh = (h - kernel.0) / stride.0 + 1, ow = (w - kernel.1) / stride.1 + 1
        var output = [Float](repeating: 0, count: n * c * oh * ow)
        for plane in 0..<(n * c) {
            for y in 0..<oh {
                for x in 0..<ow {
                    var window: [Float] = []
                    for i in 0..<kernel.0 {
                        for j in 0..<kernel.1 {
                            window.append(input[(plane * h + y * stride.0 + i) * w + x * stride.1 + j])
                        }
                    }
                    output[(plane * oh + y) * ow + x] =
                        average
                        ? window.reduce(0, +) / Float(window.count)
                        : window.contains(where: \.isNaN) ? .nan : window.max()!
                }
            }
        }
        return (output, [n, c, oh, ow])
    }

    /// The input gradient of max pooling: each output's gradient added to the element its window
    /// picked, the first largest in row-major order, or the last NaN when the window holds one (the
    /// rule of PyTorch's CPU kernel). The window is searched with `if`s, one candidate at a time.
    public static func maxPoolInputGradient(
        input: [Float], inputShape: [Int], kernel: (Int, Int), stride: (Int, Int), outputGradient: [Float]
    ) -> [Float] {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let oh = (h - kernel.0) / stride.0 + 1, ow = (w - kernel.1) / stride.1 + 1
        var dInput = [Float](repeating: 0, count: input.count)
        for plane in 0..<(n * c) {
            for y in 0..<oh {
                for x in 0..<ow {
                    var picked = -1
                    for i in 0..<kernel.0 {
                        for j in 0..<kernel.1 {
                            let index = (plane * h + y * stride.0 + i) * w + x * stride.1 + j
                            if picked < 0 {
                                picked = index
                            } else if input[picked].isNaN {
                                if input[index].isNaN { picked = index }
                            } else if input[index].isNaN || input[index] > input[picked] {
                                picked = index
                            }
                        }
                    }
                    dInput[picked] += outputGradient[(plane * oh + y) * ow + x]
                }
            }
        }
        return dInput
    }
}
