import Autograd
import MatrixMath
import NeuralNetwork
import Parallel
import Random
import TestSupport
import Testing

@testable import Convolution

@Suite("Conv2d and pooling: known answers", .isolatedRandomness)
struct ConvolutionKnownAnswerTests {
    /// The 4x4 image with the counting numbers 1...16, row by row.
    let counting = Tensor(shape: [1, 1, 4, 4], data: (1...16).map(Float.init))

    @Test("A 3x3 kernel of ones sums each window of 1...16: [[54, 63], [90, 99]]")
    func onesKernel() {
        // Top-left window: 1+2+3 + 5+6+7 + 9+10+11 = 54. One step right adds 1 to each of the nine
        // values (+9 = 63); one step down adds 4 to each (+36 = 90); both: 99.
        let y = conv2d(counting, weight: Tensor.ones([1, 1, 3, 3]), bias: nil)
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.data == [54, 63, 90, 99])
    }

    @Test("Padding 1 and stride 2 with a centre-only kernel picks pixels 1, 3, 9, 11; a bias adds to all")
    func paddingAndStride() {
        // The kernel has 1 at its centre, so each output is the pixel under the centre. With
        // padding 1 the first window is centred on (0, 0); stride 2 visits (0,0), (0,2), (2,0), (2,2).
        var centre = [Float](repeating: 0, count: 9)
        centre[4] = 1
        let y = conv2d(
            counting, weight: Tensor(shape: [1, 1, 3, 3], data: centre), bias: Tensor([0.5] as [Float]),
            stride: (2, 2), padding: (1, 1))
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.data == [1.5, 3.5, 9.5, 11.5])
    }

    @Test("A horizontal edge kernel [-1, 1] gives the constant step 1 along every row of 1...16")
    func rectangularKernel() {
        let y = conv2d(counting, weight: Tensor(shape: [1, 1, 1, 2], data: [-1, 1]), bias: nil)
        #expect(y.shape == [1, 1, 4, 3])
        #expect(y.data == [Float](repeating: 1, count: 12))
    }

    @Test("Two input channels add up; two filters give two output channels")
    func channels() {
        // Channel 1 is 1...16, channel 2 is 10 times it. Filter 0 sums channel 1's window
        // corners; filter 1 reads channel 2's top-left only.
        let input = Tensor(shape: [1, 2, 4, 4], data: (1...16).map(Float.init) + (1...16).map { Float($0 * 10) })
        var weight = [Float](repeating: 0, count: 2 * 2 * 2 * 2)
        weight[0] = 1
        weight[3] = 1  // filter 0, channel 0: top-left + bottom-right
        weight[8 + 4] = 1  // filter 1, channel 1: top-left
        let y = conv2d(input, weight: Tensor(shape: [2, 2, 2, 2], data: weight), bias: nil)
        #expect(y.shape == [1, 2, 3, 3])
        let corners: [Float] = [1 + 6, 2 + 7, 3 + 8]
        #expect(Array(y.data[0..<3]) == corners)
        #expect(Array(y.data[9..<12]) == [10, 20, 30])
    }

    @Test("MaxPool2d 2x2 on 1...16 keeps [[6, 8], [14, 16]]; AvgPool2d gives [[3.5, 5.5], [11.5, 13.5]]")
    func pooling() {
        #expect(MaxPool2d(kernelSize: 2)(counting).data == [6, 8, 14, 16])
        // Top-left window mean: (1 + 2 + 5 + 6) / 4 = 3.5.
        #expect(AvgPool2d(kernelSize: 2)(counting).data == [3.5, 5.5, 11.5, 13.5])
        // Overlapping 3x3 windows with stride 1: the maximum is always the bottom-right corner.
        #expect(MaxPool2d(kernelSize: 3, stride: 1)(counting).data == [11, 12, 15, 16])
    }

    @Test("MaxPool2d sends each gradient to the first maximum of its window (ties as PyTorch)")
    func maxPoolTies() {
        let x = Tensor(shape: [1, 1, 2, 2], data: [5, 5, 5, 5], requiresGrad: true)
        maxPool2d(x, kernelSize: (2, 2), stride: (2, 2)).sum().backward()
        #expect(x.grad?.data == [1, 0, 0, 0])
    }

    @Test("Conv2d prints its configuration; parameters are named weight and bias in PyTorch's layout")
    func description() {
        let conv = Conv2d(inputChannels: 1, outputChannels: 24, kernelSize: 3)
        #expect(conv.description == "Conv2d(inputChannels: 1, outputChannels: 24, kernelSize: (3, 3), stride: (1, 1))")
        #expect(conv.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(conv.weight.shape == [24, 1, 3, 3])
        // PyTorch's initialisation bound 1/sqrt(fan in) = 1/3.
        #expect(conv.weight.data.allSatisfy { abs($0) <= 1.0 / 3 })
        #expect(
            Conv2d(inputChannels: 3, outputChannels: 6, kernelSize: 5, padding: 2, bias: false).description
                == "Conv2d(inputChannels: 3, outputChannels: 6, kernelSize: (5, 5), stride: (1, 1), padding: (2, 2), bias: false)"
        )
        #expect(MaxPool2d(kernelSize: 2).description == "MaxPool2d(kernelSize: (2, 2), stride: (2, 2))")
    }
}

@Suite("Conv2d and pooling gradients match central differences", .isolatedRandomness)
struct ConvolutionGradientTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: [Int], outputChannels: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), bias: Bool
        var testDescription: String {
            "input \(input), \(outputChannels) filters \(kernel.0)x\(kernel.1), stride \(stride.0), padding \(padding.0), \(bias ? "bias" : "no bias")"
        }
    }

    static let cases = [
        Case(input: [2, 1, 5, 5], outputChannels: 3, kernel: (3, 3), stride: (1, 1), padding: (0, 0), bias: true),
        Case(input: [2, 3, 5, 4], outputChannels: 2, kernel: (3, 3), stride: (1, 1), padding: (1, 1), bias: true),
        Case(input: [1, 2, 7, 7], outputChannels: 2, kernel: (3, 3), stride: (2, 2), padding: (1, 1), bias: true),
        Case(input: [2, 2, 6, 5], outputChannels: 3, kernel: (2, 3), stride: (2, 1), padding: (0, 1), bias: false),
        Case(input: [1, 4, 4, 4], outputChannels: 1, kernel: (1, 1), stride: (1, 1), padding: (0, 0), bias: true),
    ]

    @Test("Conv2d input, weight and bias gradients (gradcheck)", arguments: cases)
    func conv2dGradients(_ c: Case) {
        manualSeed(1)
        let layer = Conv2d(
            inputChannels: c.input[1], outputChannels: c.outputChannels, kernelSize: c.kernel,
            stride: c.stride, padding: c.padding, bias: c.bias)
        let x = randomTensor(c.input, seed: 2)
        let arguments = [x, layer.weight] + (layer.bias.map { [$0] } ?? [])
        let result = gradcheck(arguments) { _ in layer(x) }
        expectGradientsMatch(result)
    }

    @Test("MaxPool2d gradient, non-overlapping and overlapping windows (gradcheck)")
    func maxPoolGradients() {
        // Distinct values spaced well apart so no window has a near-tie the central difference could cross.
        var generator = SeededGenerator(seed: 3)
        var values = (0..<72).map { Float($0) * 0.1 }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        let x = Tensor(shape: [2, 1, 6, 6], data: values, requiresGrad: true)
        expectGradientsMatch(gradcheck([x]) { maxPool2d($0[0], kernelSize: (2, 2), stride: (2, 2)) })
        expectGradientsMatch(gradcheck([x]) { MaxPool2d(kernelSize: 3, stride: 2)($0[0]) })
    }

    @Test("AvgPool2d gradient (gradcheck)")
    func avgPoolGradients() {
        let x = randomTensor([2, 3, 5, 5], seed: 4)
        expectGradientsMatch(gradcheck([x]) { AvgPool2d(kernelSize: 2)($0[0]) })
        expectGradientsMatch(gradcheck([x]) { AvgPool2d(kernelSize: (3, 2), stride: (1, 2))($0[0]) })
    }

    @Test("A two-convolution network end to end: conv, relu, pool, conv, flatten, linear, log-softmax, NLL (gradcheck)")
    func network() {
        manualSeed(5)
        let conv1 = Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: 3)
        let conv2 = Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 2)
        let fc = Linear(inputFeatures: 3 * 2 * 2, outputFeatures: 4)
        let x = randomTensor([2, 1, 8, 8], seed: 6, requiresGrad: false)
        let parameters = conv1.parameters() + conv2.parameters() + fc.parameters()
        // ReLU and max pooling have kinks: a step of 1e-3 keeps the central differences from
        // crossing them (a step of 1e-2 does cross a few at this seed).
        let result = gradcheck(parameters, step: 1e-3, absoluteTolerance: 2e-3) { _ in
            let h = maxPool2d(conv1(x).relu(), kernelSize: (2, 2), stride: (2, 2))
            let features = conv2(h).relu().flattened(startDim: 1)
            return nllLoss(fc(features).logSoftmax(dim: 1), labels: [1, 3])
        }
        expectGradientsMatch(result)
    }
}

@Suite("The im2col + GEMM convolution equals the plain-loop reference")
struct ConvolutionReferenceTests {
    @Test(
        "Forward and all three gradients on random shapes, strides and paddings",
        arguments: [
            (UInt64(1), [3, 2, 9, 7], 4, (3, 2), (1, 1), (0, 0)),
            (5, [2, 3, 8, 9], 4, (3, 3), (2, 1), (1, 1)),
            (2, [2, 3, 12, 12], 5, (5, 5), (2, 2), (2, 2)),
            (3, [4, 1, 28, 28], 8, (3, 3), (1, 1), (1, 1)),
            (4, [1, 6, 11, 13], 3, (4, 2), (3, 1), (1, 0)),
        ])
    func matchesReference(
        seed: UInt64, shape: [Int], outputChannels: Int, kernel: (Int, Int), stride: (Int, Int),
        padding: (Int, Int)
    ) {
        let x = randomTensor(shape, seed: seed)
        let weight = randomTensor([outputChannels, shape[1], kernel.0, kernel.1], seed: seed + 10)
        let bias = randomTensor([outputChannels], seed: seed + 20)
        let y = conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
        let reference = ReferenceConvolution.forward(
            input: x.data, inputShape: shape, weight: weight.data,
            weightShape: weight.shape, bias: bias.data, stride: stride, padding: padding)
        #expect(y.shape == reference.shape)
        expectClose(y.data, reference.output)

        let g = randomTensor(y.shape, seed: seed + 30, requiresGrad: false)
        y.backward(g)
        let expected = ReferenceConvolution.backward(
            outputGradient: g.data, input: x.data, inputShape: shape,
            weight: weight.data, weightShape: weight.shape, stride: stride, padding: padding)
        expectClose(x.grad!.data, expected.input)
        expectClose(weight.grad!.data, expected.weight)
        expectClose(bias.grad!.data, expected.bias)
    }

    @Test("Max and average pooling equal the reference on random planes")
    func poolingMatchesReference() {
        for (shape, kernel, stride) in [
            ([3, 4, 10, 9], (2, 2), (2, 2)), ([2, 3, 24, 27], (2, 2), (2, 2)), ([1, 2, 17, 16], (2, 2), (2, 2)),
            ([2, 2, 7, 7], (3, 3), (2, 2)), ([1, 3, 6, 8], (2, 3), (1, 2)),
        ] {
            let x = randomTensor(shape, seed: 9, requiresGrad: false)
            let maxReference = ReferenceConvolution.pool(
                input: x.data, inputShape: shape, kernel: kernel, stride: stride, average: false)
            let avgReference = ReferenceConvolution.pool(
                input: x.data, inputShape: shape, kernel: kernel, stride: stride, average: true)
            #expect(maxPool2d(x, kernelSize: kernel, stride: stride).data == maxReference.output)
            expectClose(avgPool2d(x, kernelSize: kernel, stride: stride).data, avgReference.output, tolerance: 1e-6)
        }
    }

    @Test(
        "MaxPool2d's input gradient equals the reference with ties and NaNs: eight-window rows with odd edges, narrow rows, overlapping windows",
        arguments: [
            ([2, 3, 26, 26], (2, 2), (2, 2)), ([1, 2, 17, 35], (2, 2), (2, 2)), ([2, 2, 33, 16], (2, 2), (2, 2)),
            ([2, 3, 11, 11], (2, 2), (2, 2)), ([1, 2, 9, 9], (3, 3), (2, 2)), ([1, 2, 6, 8], (2, 3), (1, 2)),
        ])
    func maxPoolGradientMatchesReference(shape: [Int], kernel: (Int, Int), stride: (Int, Int)) {
        // Values from a small set, so that most windows hold ties, with a NaN in about 1 of 40.
        var random = SeededGenerator(seed: 21)
        let count = shape.reduce(1, *)
        let values: [Float] = (0..<count).map { _ in
            let pick = Int.random(in: 0..<40, using: &random)
            return pick == 0 ? .nan : Float(pick % 4) - 1.5
        }
        let x = Tensor(shape: shape, data: values, requiresGrad: true)
        let y = maxPool2d(x, kernelSize: kernel, stride: stride)
        let reference = ReferenceConvolution.pool(
            input: values, inputShape: shape, kernel: kernel, stride: stride, average: false)
        let outputGradient: [Float] = (0..<y.count).map { Float($0 % 7) + 1 }
        y.backward(Tensor(shape: y.shape, data: outputGradient))
        let expected = ReferenceConvolution.maxPoolInputGradient(
            input: values, inputShape: shape, kernel: kernel, stride: stride, outputGradient: outputGradient)
        #expect(y.data.elementsEqual(reference.output) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(reference.output.contains { $0.isNaN })
        #expect(x.grad?.data == expected)
    }
}

@Suite("2x2 max pooling straight from a ReLU's input (the ReLU's values never made)")
struct PooledReLUTests {
    /// Values with many ties, zeros of both signs, infinities and about one NaN in 40.
    static func values(count: Int, seed: UInt64) -> [Float] {
        var random = SeededGenerator(seed: seed)
        let pattern: [Float] = [-1.5, -0.5, 0, -0.0, 0.5, 1.5, -.infinity, .infinity]
        return (0..<count).map { _ in
            let pick = Int.random(in: 0..<40, using: &random)
            return pick == 0 ? .nan : pattern[pick % pattern.count]
        }
    }

    static func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    @Test(
        "Outputs, ReLU values and input gradients equal the plain-loop reference (1 and 3 threads): rows of eight windows with odd edges, narrow rows, the tensor's last rows; ReLU also read by a second operation or not",
        arguments: [[2, 3, 26, 26], [1, 2, 17, 35], [2, 2, 33, 16], [2, 3, 11, 11], [3, 2, 3, 7], [1, 1, 5, 5]],
        [false, true])
    func matchesReference(shape: [Int], reluAlsoRead: Bool) {
        let values = Self.values(count: shape.reduce(1, *), seed: UInt64(shape.reduce(0, +)))
        let rectified = values.map { $0 < 0 ? 0 : $0 }
        let reference = ReferenceConvolution.pool(
            input: rectified, inputShape: shape, kernel: (2, 2), stride: (2, 2), average: false)
        let outputGradient: [Float] = (0..<reference.output.count).map { Float($0 % 7) + 1 }
        let extraGradient: [Float] = (0..<values.count).map { Float($0 % 5) + 0.25 }
        // d(loss)/d(relu output): the pooling's routed gradient, plus the second operation's.
        var reluGradient = ReferenceConvolution.maxPoolInputGradient(
            input: rectified, inputShape: shape, kernel: (2, 2), stride: (2, 2), outputGradient: outputGradient)
        if reluAlsoRead { for i in reluGradient.indices { reluGradient[i] += extraGradient[i] } }
        let expectedGradient = zip(values, reluGradient).map { x, g in x > 0 ? g : 0 }
        for threads in [1, 3] {
            Parallelism.withThreadCount(threads) {
                let x = Tensor(shape: shape, data: values, requiresGrad: true)
                let r = x.relu()
                let y = maxPool2d(r, kernelSize: (2, 2))
                #expect(r.deferredReLU != nil, "pooling made the ReLU's values")
                #expect(Self.sameBits(y.data, reference.output))
                var loss = (y * Tensor(shape: y.shape, data: outputGradient)).sum()
                if reluAlsoRead {
                    // Reading r now makes its values (from x as it was); its mask came from the pooling.
                    loss = loss + (r * Tensor(shape: shape, data: extraGradient)).sum()
                    #expect(Self.sameBits(r.data, rectified))
                }
                loss.backward()
                #expect(x.grad.map { Self.sameBits($0.data, expectedGradient) } == true)
            }
        }
    }

    @Test("Without gradients (evaluation), pooling a ReLU equals the reference and still never makes the ReLU's values")
    func withoutGradients() {
        let shape = [4, 3, 13, 13]
        let values = Self.values(count: shape.reduce(1, *), seed: 5)
        let reference = ReferenceConvolution.pool(
            input: values.map { $0 < 0 ? 0 : $0 }, inputShape: shape, kernel: (2, 2), stride: (2, 2), average: false)
        withNoGrad {
            let r = Tensor(shape: shape, data: values, requiresGrad: true).relu()
            #expect(Self.sameBits(maxPool2d(r, kernelSize: (2, 2)).data, reference.output))
            #expect(r.deferredReLU != nil)
            #expect(r.gradFn == nil)
        }
    }
}

@Suite("The single-channel direct convolution equals the plain-loop reference")
struct SingleChannelConvolutionTests {
    @Test(
        "Forward and all three gradients: rows of 8, 26 and 13 outputs, heights not a multiple of 4, padding, rectangular kernels",
        arguments: [
            (UInt64(1), [3, 1, 28, 28], 24, (3, 3), (0, 0)),  // convnet's conv1: 26 = 8 + 8 + 8 + an overlapping group
            (2, [2, 1, 10, 10], 1, (3, 3), (0, 0)),  // exactly one group of 8 per row, 8 rows
            (3, [1, 1, 15, 17], 7, (5, 5), (2, 2)),  // padding: 15 x 17 outputs, 3 rows left after groups of 4
            (4, [2, 1, 9, 12], 3, (2, 4), (1, 0)),  // rectangular kernel, padding on one axis only
            (5, [1, 1, 6, 30], 2, (1, 1), (0, 0)),  // 1x1 kernel, 30 = three groups of 8 and an overlapping one
            (6, [2, 1, 5, 12], 3, (3, 3), (0, 0)),  // 3 output rows: fewer than one block of 4
            (7, [1, 1, 8, 9], 2, (3, 3), (0, 1)),  // padding on the width only
            (8, [11, 1, 6, 8], 5, (3, 3), (1, 1)),  // exactly 8 outputs wide, padded; 11 images in several parts
        ])
    func matchesReference(
        seed: UInt64, shape: [Int], outputChannels: Int, kernel: (Int, Int), padding: (Int, Int)
    ) {
        let x = randomTensor(shape, seed: seed)
        let weight = randomTensor([outputChannels, 1, kernel.0, kernel.1], seed: seed + 10)
        let bias = randomTensor([outputChannels], seed: seed + 20)
        let y = conv2d(x, weight: weight, bias: bias, stride: (1, 1), padding: padding)
        let reference = ReferenceConvolution.forward(
            input: x.data, inputShape: shape, weight: weight.data, weightShape: weight.shape, bias: bias.data,
            stride: (1, 1), padding: padding)
        #expect(y.shape == reference.shape)
        expectClose(y.data, reference.output)

        let g = randomTensor(y.shape, seed: seed + 30, requiresGrad: false)
        y.backward(g)
        let expected = ReferenceConvolution.backward(
            outputGradient: g.data, input: x.data, inputShape: shape, weight: weight.data, weightShape: weight.shape,
            stride: (1, 1), padding: padding)
        expectClose(x.grad!.data, expected.input)
        expectClose(weight.grad!.data, expected.weight)
        expectClose(bias.grad!.data, expected.bias)
    }

    @Test("Conv2d on one channel, rows of 10 outputs: input, weight and bias gradients (gradcheck)")
    func gradients() {
        expectConv2dGradientsMatch(input: [2, 1, 6, 10], outputChannels: 3, seed: 7)
    }

    @Test("The weight gradient is the same on 1 thread and on 3 (one part, and several parts added in order)")
    func threadCounts() {
        let x = randomTensor([13, 1, 10, 11], seed: 14, requiresGrad: false)
        let weight = randomTensor([5, 1, 3, 3], seed: 15)
        let bias = randomTensor([5], seed: 16)
        func weightGradient(threads: Int) -> [Float] {
            Parallelism.withThreadCount(threads) {
                weight.zeroGrad()
                bias.zeroGrad()
                conv2d(x, weight: weight, bias: bias).sum().backward()
                return weight.grad!.data + bias.grad!.data
            }
        }
        expectClose(weightGradient(threads: 3), weightGradient(threads: 1))
    }

    @Test("An empty batch gives an empty output and zero weight and bias gradients")
    func emptyBatch() {
        expectEmptyBatchConvolution(channels: 1, seed: 17)
    }

    @Test("Without a bias the output is the bare correlation, and no bias gradient is asked for")
    func withoutBias() {
        let x = randomTensor([2, 1, 9, 11], seed: 12)
        let weight = randomTensor([4, 1, 3, 3], seed: 13)
        let y = conv2d(x, weight: weight, bias: nil)
        let reference = ReferenceConvolution.forward(
            input: x.data, inputShape: x.shape, weight: weight.data, weightShape: weight.shape, bias: nil,
            stride: (1, 1), padding: (0, 0))
        expectClose(y.data, reference.output)
        y.sum().backward()
        let expected = ReferenceConvolution.backward(
            outputGradient: [Float](repeating: 1, count: y.count), input: x.data, inputShape: x.shape,
            weight: weight.data, weightShape: weight.shape, stride: (1, 1), padding: (0, 0))
        expectClose(weight.grad!.data, expected.weight)
    }
}

@Suite("The Winograd F(2x2, 3x3) and F(4x4, 3x3) convolutions equal the plain-loop reference")
struct WinogradConvolutionTests {
    @Test(
        "Its 16 transformed matrices start 256 bytes apart modulo 4 KB whatever the rows' length (less than 4 KB of padding, none when already so)"
    )
    func matricesAreSpaced() {
        for floats in [0, 1, 63, 64, 65, 1024, 1088, 4864, 5120, 9728, 123_457] {
            let spaced = WinogradConvolution.spaced(floats)
            #expect(spaced >= floats && spaced - floats < 1024 && spaced % 1024 == 64, "\(floats) -> \(spaced)")
        }
        #expect(WinogradConvolution.spaced(4864) == 5184)  // pytorch-example's V: 32 rows of 152 floats
        #expect(WinogradConvolution.spaced(1088) == 1088)
    }

    @Test(
        "Forward and all three gradients: even and odd output sizes, padding, tails of 8 tiles, several groups",
        arguments: [
            (UInt64(1), [2, 32, 26, 26], 64, (0, 0)),  // pytorch-example's conv2 on 2 images: F(2x2), 12 x 12 tiles
            (2, [3, 24, 13, 13], 48, (0, 0)),  // convnet's conv2: 11 x 11 outputs, tiles hanging over two edges
            (3, [2, 3, 5, 4], 2, (1, 1)),  // padding on both axes, 5 x 4 outputs
            (4, [1, 2, 6, 40], 3, (1, 0)),  // 20 tiles across: two vectors of 8 and a tail; padding on height only
            (5, [2, 4, 3, 3], 5, (0, 0)),  // a single output per plane
            (6, [13, 4, 18, 18], 3, (0, 2)),  // 13 images, 16 x 20 outputs: F(4x4), groups of 8 and 5
            (7, [1, 3, 4, 19], 2, (2, 2)),  // padding 2: outputs 6 x 21, one tile wider than the input
            (8, [40, 8, 9, 9], 16, (0, 0)),  // weight gradient as dU^T (8 x 16 fills the GEMM's tiles), 3 parts
            (9, [2, 3, 10, 18], 4, (0, 0)),  // exactly 8 tiles across: the last tile's right half lands past the group
        ])
    func matchesReference(seed: UInt64, shape: [Int], outputChannels: Int, padding: (Int, Int)) {
        let x = randomTensor(shape, seed: seed)
        let weight = randomTensor([outputChannels, shape[1], 3, 3], seed: seed + 10)
        let bias = randomTensor([outputChannels], seed: seed + 20)
        let y = conv2d(x, weight: weight, bias: bias, stride: (1, 1), padding: padding)
        let reference = ReferenceConvolution.forward(
            input: x.data, inputShape: shape, weight: weight.data, weightShape: weight.shape, bias: bias.data,
            stride: (1, 1), padding: padding)
        #expect(y.shape == reference.shape)
        expectClose(y.data, reference.output, "output")

        let g = randomTensor(y.shape, seed: seed + 30, requiresGrad: false)
        y.backward(g)
        let expected = ReferenceConvolution.backward(
            outputGradient: g.data, input: x.data, inputShape: shape, weight: weight.data, weightShape: weight.shape,
            stride: (1, 1), padding: padding)
        expectClose(x.grad!.data, expected.input, "input gradient")
        expectClose(weight.grad!.data, expected.weight, "weight gradient")
        expectClose(bias.grad!.data, expected.bias, "bias gradient")
    }

    @Test(
        "F(2x2) and F(4x4) each, forward and all three gradients: overhanging tiles, padding, partial vectors of images",
        arguments: [2, 4],
        [
            (UInt64(41), [2, 32, 26, 26], 64, (0, 0)),  // pytorch-example's conv2, 2 images: 6 lanes empty
            (42, [3, 24, 13, 13], 48, (0, 0)),  // convnet's conv2: 11 x 11, tiles of 4 overhang by one
            (43, [2, 3, 34, 34], 4, (0, 0)),  // rows of 34, staged 8 values at a time, the last 8 overlapping
            (44, [1, 4, 9, 38], 5, (1, 1)),  // one image (7 lanes empty), padding on both axes
            (45, [2, 5, 7, 21], 3, (2, 0)),  // 19 across, 9 down with padding 2 on height only
            (46, [9, 6, 22, 22], 8, (1, 1)),  // 9 images: a vector of 8 and one of 1; weight gradient as dU^T
            (47, [1, 2, 3, 3], 2, (0, 0)),  // a single output per plane
            (48, [1, 2, 10, 66], 3, (0, 0)),  // 64 outputs across, 8 down
            (49, [2, 2, 6, 72], 2, (1, 1)),  // 72 across, 6 down
            (50, [17, 4, 13, 13], 6, (0, 0)),  // F(4x4): a group of 16 images, then one of 1
            (51, [9, 3, 10, 6], 2, (1, 1)),  // rows of 6 (fewer than 8 values: staged one by one)
        ])
    func tileSizesMatchReference(tile: Int, layer: (UInt64, [Int], Int, (Int, Int))) throws {
        let (seed, shape, oc, padding) = layer
        let c = shape[1]
        let x = randomTensor(shape, seed: seed).data
        let weight = randomTensor([oc, c, 3, 3], seed: seed + 10).data
        let bias = randomTensor([oc], seed: seed + 20).data
        let geometry = try #require(
            ConvolutionGeometry(
                inputHeight: shape[2], inputWidth: shape[3], kernel: (3, 3), stride: (1, 1), padding: padding))
        let winograd = WinogradConvolution(
            images: shape[0], channels: c, outputChannels: oc, geometry: geometry, tile: tile)
        #expect(winograd.tile == tile && winograd.positions == (tile + 2) * (tile + 2))
        let u = winograd.transformedFilters(weight)
        let y = winograd.forward(input: x, filters: u, bias: bias)
        let reference = ReferenceConvolution.forward(
            input: x, inputShape: shape, weight: weight, weightShape: [oc, c, 3, 3], bias: bias, stride: (1, 1),
            padding: padding)
        expectClose(y, reference.output, "output, tiles of \(tile)")

        let g = randomTensor(reference.shape, seed: seed + 30).data
        let (dx, dw, db) = winograd.backward(gradient: g, input: x, filters: u, needsInput: true, needsWeight: true)
        let expected = ReferenceConvolution.backward(
            outputGradient: g, input: x, inputShape: shape, weight: weight, weightShape: [oc, c, 3, 3],
            stride: (1, 1), padding: padding)
        expectClose(dx ?? [], expected.input, "input gradient, tiles of \(tile)")
        expectClose(dw ?? [], expected.weight, "weight gradient, tiles of \(tile)")
        expectClose(db ?? [], expected.bias, "bias gradient, tiles of \(tile)")
    }

    @Test("F(4x4, 3x3) is chosen for batches of 8 or more with at least 8 rows and 8 columns of outputs")
    func tileChoice() {
        /// The tile the convolution picks for `images` images [channels, height, width], or nil when
        /// the 3x3 kernel does not fit.
        func tile(_ height: Int, _ width: Int, images: Int, channels: Int = 32, outputChannels: Int = 64) -> Int? {
            ConvolutionGeometry(
                inputHeight: height, inputWidth: width, kernel: (3, 3), stride: (1, 1), padding: (0, 0)
            ).map {
                WinogradConvolution(
                    images: images, channels: channels, outputChannels: outputChannels, geometry: $0
                ).tile
            }
        }
        #expect(tile(26, 26, images: 64) == 4)  // pytorch-example's conv2
        #expect(tile(13, 13, images: 200) == 4)  // convnet's conv2
        #expect(tile(26, 26, images: 7) == 2 && tile(26, 26, images: 8) == 4)  // fewer than a vector of images
        #expect(tile(9, 26, images: 64) == 2 && tile(10, 26, images: 64) == 4)  // 7 or 8 outputs down
        #expect(tile(26, 9, images: 64) == 2 && tile(26, 10, images: 64) == 4)  // 7 or 8 outputs across
        #expect(tile(26, 26, images: 64, channels: 96, outputChannels: 192) == 4)  // 36 x 96 x 192 floats: 2.5 MB
        #expect(tile(26, 26, images: 64, channels: 128, outputChannels: 256) == 2)  // 4.5 MB: over a part's 4 MB
        #expect(tile(50, 50, images: 64) == 4 && tile(54, 54, images: 64) == 2)  // V and M of 8 images: 15 or 17 MB
    }

    @Test("Conv2d 3x3 on 4 channels, padding 1: input, weight and bias gradients (gradcheck)")
    func gradients() {
        expectConv2dGradientsMatch(input: [2, 4, 7, 6], outputChannels: 3, seed: 21)
    }

    @Test(
        "Only the input gradient, or only the weight's: each equals the reference alone",
        arguments: [[3, 5, 10, 9], [9, 3, 12, 14]])  // F(2x2), then F(4x4): 9 images, 10 x 12 outputs
    func oneGradientAtATime(shape: [Int]) {
        let x = randomTensor(shape, seed: 23)
        let frozenX = Tensor(shape: shape, data: x.data)
        let weight = randomTensor([6, shape[1], 3, 3], seed: 24)
        let frozenWeight = Tensor(shape: weight.shape, data: weight.data)
        let g = randomTensor([shape[0], 6, shape[2] - 2, shape[3] - 2], seed: 25, requiresGrad: false)
        let expected = ReferenceConvolution.backward(
            outputGradient: g.data, input: x.data, inputShape: shape, weight: weight.data, weightShape: weight.shape,
            stride: (1, 1), padding: (0, 0))
        conv2d(x, weight: frozenWeight, bias: nil).backward(g)
        expectClose(x.grad!.data, expected.input, "input gradient alone")
        conv2d(frozenX, weight: weight, bias: nil).backward(g)
        expectClose(weight.grad!.data, expected.weight, "weight gradient alone")
    }

    @Test(
        "Output and gradients are bit-identical on 1 thread and on 3 (the batch's parts are fixed by its size)",
        // F(2x2) (7 images); F(4x4) in groups of 8 images, the last of 7 and of 3
        arguments: [[7, 3, 12, 12], [23, 3, 22, 22], [19, 3, 13, 13]])
    func threadCounts(shape: [Int]) {
        let x = randomTensor(shape, seed: 26)
        let weight = randomTensor([4, 3, 3, 3], seed: 27)
        let bias = randomTensor([4], seed: 28)
        func run(threads: Int) -> [Float] {
            Parallelism.withThreadCount(threads) {
                for tensor in [x, weight, bias] { tensor.zeroGrad() }
                let y = conv2d(x, weight: weight, bias: bias, padding: (1, 1))
                (y * y).sum().backward()
                return y.data + x.grad!.data + weight.grad!.data + bias.grad!.data
            }
        }
        #expect(run(threads: 3) == run(threads: 1))
    }

    @Test("An empty batch gives an empty output and zero weight and bias gradients")
    func emptyBatch() {
        expectEmptyBatchConvolution(channels: 2, seed: 29)
    }
}

/// gradcheck of a 3x3, padding-1 Conv2d's input, weight and bias gradients on a random input.
private func expectConv2dGradientsMatch(input shape: [Int], outputChannels: Int, seed: UInt64) {
    manualSeed(seed)
    let layer = Conv2d(inputChannels: shape[1], outputChannels: outputChannels, kernelSize: 3, padding: 1)
    let x = randomTensor(shape, seed: seed + 1)
    expectGradientsMatch(gradcheck([x, layer.weight, layer.bias!]) { _ in layer(x) })
}

/// A batch of no images through a 3x3 convolution with 3 filters: an empty [0, 3, 8, 8] output,
/// and weight and bias gradients that are all zero.
private func expectEmptyBatchConvolution(channels: Int, seed: UInt64) {
    let weight = randomTensor([3, channels, 3, 3], seed: seed)
    let bias = randomTensor([3], seed: seed + 1)
    let y = conv2d(Tensor.zeros([0, channels, 10, 10]), weight: weight, bias: bias)
    #expect(y.shape == [0, 3, 8, 8])
    y.sum().backward()
    #expect(weight.grad?.data == [Float](repeating: 0, count: 27 * channels))
    #expect(bias.grad?.data == [0, 0, 0])
}

@Suite("Convolution errors name the layer and both shapes")
struct ConvolutionErrorTests {
    @Test("A 1-channel Conv2d given 3 channels names the layer, expected and actual shapes")
    func wrongChannels() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d(inputChannels: 1, outputChannels: 4, kernelSize: 3)(Tensor.zeros([2, 3, 8, 8]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Conv2d(inputChannels: 1, outputChannels: 4"))
        #expect(message.contains("expected input [N, 1, H, W], got [2, 3, 8, 8]"))
    }

    @Test("A flat [N, 784] input to Conv2d is refused as the wrong rank")
    func wrongRank() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d(inputChannels: 1, outputChannels: 4, kernelSize: 3)(Tensor.zeros([2, 784]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("got [2, 784]"))
    }

    @Test("A 5x5 kernel on a 3x3 input without padding is refused with the sizes")
    func kernelTooLarge() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d(inputChannels: 1, outputChannels: 1, kernelSize: 5)(Tensor.zeros([1, 1, 3, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("kernel 5x5") && message.contains("input 3x3"))
    }

    @Test("A pooling window larger than the input is refused with the sizes")
    func windowTooLarge() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MaxPool2d(kernelSize: 4)(Tensor.zeros([1, 1, 3, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("window 4x4") && message.contains("[1, 1, 3, 3]"))
    }
}

@Suite("Functional pooling defaults as PyTorch's")
struct PoolingDefaultTests {
    @Test("maxPool2d and avgPool2d without a stride use the kernel size, as F.max_pool2d does")
    func strideDefaultsToKernel() {
        let x = Tensor(shape: [1, 1, 4, 4], data: (1...16).map(Float.init))
        #expect(maxPool2d(x, kernelSize: (2, 2)).data == [6, 8, 14, 16])
        #expect(avgPool2d(x, kernelSize: (2, 2)).data == [3.5, 5.5, 11.5, 13.5])
    }
}

@Suite("Counting a convolution's FLOPs")
struct ConvolutionFLOPTests {
    @Test("convnet's conv2 on one image: 2 x 48 x (24 x 3 x 3) x 11 x 11 forward, twice that backward")
    func convolution() {
        let input = Tensor.zeros([1, 24, 13, 13], requiresGrad: true)
        let weight = Tensor.zeros([48, 24, 3, 3], requiresGrad: true)
        let count = FLOPCount.measure { _ = conv2d(input, weight: weight, bias: nil) }
        let forward = 2.0 * 48 * 24 * 9 * 11 * 11
        #expect(count.forward == forward)
        #expect(count.backward == 2 * forward)
    }
}
