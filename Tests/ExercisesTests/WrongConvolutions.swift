/// Plain-loop convolutions and poolings with a learner's usual mistakes switched on.
enum WrongConvolution {
    struct Mistakes {
        var strideOne = false
        var noPadding = false
        var noBias = false
        var flippedKernel = false
        var assignInsteadOfAdd = false
        var firstImageOnly = false
        var meanBias = false
    }

    /// Forward, input gradient and weight gradient by the forward's loops, with `mistakes`.
    static func run(
        input: [Float], inputShape: [Int], weight: [Float], weightShape: [Int], bias: [Float]?,
        outputGradient: [Float]?, stride: (Int, Int), padding: (Int, Int), _ mistakes: Mistakes
    ) -> (output: [Float], input: [Float], weight: [Float], bias: [Float]) {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (oc, kh, kw) = (weightShape[0], weightShape[2], weightShape[3])
        // The output's size is always right; the mistakes are in how it is filled.
        let oh = (h + 2 * padding.0 - kh) / stride.0 + 1, ow = (w + 2 * padding.1 - kw) / stride.1 + 1
        let s = mistakes.strideOne ? (1, 1) : stride
        let p = mistakes.noPadding ? (0, 0) : padding
        var output = [Float](repeating: 0, count: n * oc * oh * ow)
        var dInput = [Float](repeating: 0, count: input.count)
        var dWeight = [Float](repeating: 0, count: weight.count)
        var dBias = [Float](repeating: 0, count: oc)
        for image in 0..<(mistakes.firstImageOnly ? 1 : n) {
            for o in 0..<oc {
                for y in 0..<oh {
                    for x in 0..<ow {
                        let outIndex = ((image * oc + o) * oh + y) * ow + x
                        var sum = mistakes.noBias ? 0 : (bias?[o] ?? 0)
                        let g = outputGradient?[outIndex] ?? 0
                        dBias[o] += g
                        for channel in 0..<c {
                            for i in 0..<kh {
                                for j in 0..<kw {
                                    let inY = y * s.0 + i - p.0, inX = x * s.1 + j - p.1
                                    guard inY >= 0, inY < h, inX >= 0, inX < w else { continue }
                                    let (wi, wj) = mistakes.flippedKernel ? (kh - 1 - i, kw - 1 - j) : (i, j)
                                    let inputIndex = ((image * c + channel) * h + inY) * w + inX
                                    let weightIndex = ((o * c + channel) * kh + wi) * kw + wj
                                    sum += weight[weightIndex] * input[inputIndex]
                                    if mistakes.assignInsteadOfAdd {
                                        dInput[inputIndex] = g * weight[weightIndex]
                                    } else {
                                        dInput[inputIndex] += g * weight[weightIndex]
                                    }
                                    dWeight[weightIndex] += g * input[inputIndex]
                                }
                            }
                        }
                        output[outIndex] = sum
                    }
                }
            }
        }
        if mistakes.meanBias { dBias = dBias.map { $0 / Float(n * oh * ow) } }
        return (output, dInput, dWeight, dBias)
    }

    static func forward(_ mistakes: Mistakes) -> ExerciseForward {
        { input, inputShape, weight, weightShape, bias, stride, padding in
            run(
                input: input, inputShape: inputShape, weight: weight, weightShape: weightShape, bias: bias,
                outputGradient: nil, stride: stride, padding: padding, mistakes
            ).output
        }
    }

    static func inputGradient(_ mistakes: Mistakes) -> ExerciseInputGradient {
        { gradient, weight, weightShape, inputShape, stride, padding in
            run(
                input: [Float](repeating: 0, count: inputShape.reduce(1, *)), inputShape: inputShape, weight: weight,
                weightShape: weightShape, bias: nil, outputGradient: gradient, stride: stride, padding: padding,
                mistakes
            ).input
        }
    }

    static func weightGradient(_ mistakes: Mistakes) -> ExerciseWeightGradient {
        { gradient, input, inputShape, weightShape, stride, padding in
            let result = run(
                input: input, inputShape: inputShape, weight: [Float](repeating: 0, count: weightShape.reduce(1, *)),
                weightShape: weightShape, bias: nil, outputGradient: gradient, stride: stride, padding: padding,
                mistakes)
            return (result.weight, result.bias)
        }
    }

    enum PoolMistake { case average, strideIsKernel, gradientToAll, lastMaximum, overwrite }

    /// Max pooling, forward and backward, with one mistake.
    static func pool(
        input: [Float], shape: [Int], kernel: (Int, Int), stride: (Int, Int), gradient: [Float]?, _ mistake: PoolMistake
    ) -> (output: [Float], input: [Float]) {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let oh = (h - kernel.0) / stride.0 + 1, ow = (w - kernel.1) / stride.1 + 1
        let s = mistake == .strideIsKernel ? kernel : stride
        var output = [Float](repeating: 0, count: planes * oh * ow)
        var dInput = [Float](repeating: 0, count: input.count)
        for plane in 0..<planes {
            for y in 0..<oh {
                for x in 0..<ow {
                    var window: [Int] = []
                    for i in 0..<kernel.0 {
                        for j in 0..<kernel.1 {
                            let (iy, ix) = (y * s.0 + i, x * s.1 + j)
                            if iy < h && ix < w { window.append((plane * h + iy) * w + ix) }
                        }
                    }
                    let outIndex = (plane * oh + y) * ow + x
                    let values = window.map { input[$0] }
                    let largest = values.max() ?? 0
                    output[outIndex] = mistake == .average ? values.reduce(0, +) / Float(max(values.count, 1)) : largest
                    let g = gradient?[outIndex] ?? 0
                    switch mistake {
                    case .gradientToAll:
                        for index in window { dInput[index] += g }
                    case .lastMaximum:
                        if let last = window.last(where: { input[$0] == largest }) { dInput[last] += g }
                    case .overwrite:
                        if let first = window.first(where: { input[$0] == largest }) { dInput[first] = g }
                    case .average, .strideIsKernel:
                        if let first = window.first(where: { input[$0] == largest }) { dInput[first] += g }
                    }
                }
            }
        }
        return (output, dInput)
    }

    static func poolForward(_ mistake: PoolMistake) -> ExercisePoolForward {
        { input, shape, kernel, stride in
            pool(input: input, shape: shape, kernel: kernel, stride: stride, gradient: nil, mistake).output
        }
    }

    static func poolBackward(_ mistake: PoolMistake) -> ExercisePoolBackward {
        { gradient, input, shape, kernel, stride in
            pool(input: input, shape: shape, kernel: kernel, stride: stride, gradient: gradient, mistake).input
        }
    }
}
