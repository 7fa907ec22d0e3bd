import Autograd
import Convolution

/// The graders of tutorial 05's exercises: Conv2d forward and its two gradients, MaxPool2d
/// forward and backward, each against the library's plain-loop reference on shapes with and
/// without stride and padding, and the gradients against central differences.
public enum ConvolutionGraders {
    /// A convolution's sizes: input [n, c, h, w], weight [oc, c, kh, kw].
    struct Geometry {
        let name: String
        let input: [Int]
        let weight: [Int]
        let stride: (Int, Int)
        let padding: (Int, Int)
        let hint: String
        var output: [Int] {
            [
                input[0], weight[0], (input[2] + 2 * padding.0 - weight[2]) / stride.0 + 1,
                (input[3] + 2 * padding.1 - weight[3]) / stride.1 + 1,
            ]
        }
    }

    static let geometries = [
        Geometry(
            name: "1 image, 1 channel 5x5, one 3x3 filter, stride 1, no padding", input: [1, 1, 5, 5],
            weight: [1, 1, 3, 3],
            stride: (1, 1), padding: (0, 0), hint: "out[y, x] sums the 3x3 window whose top-left corner is (y, x)"),
        Geometry(
            name: "2 images, 3 channels 6x6, 4 filters 3x3, padding 1", input: [2, 3, 6, 6], weight: [4, 3, 3, 3],
            stride: (1, 1), padding: (1, 1),
            hint: "with padding p the window of (y, x) starts at row y - p: read 0 where a row or column is outside"),
        Geometry(
            name: "stride 2, padding 1: 1 image, 2 channels 7x5, 3 filters 3x3", input: [1, 2, 7, 5],
            weight: [3, 2, 3, 3],
            stride: (2, 2), padding: (1, 1),
            hint: "with stride s the window of (y, x) starts at row y * s - p and column x * s - p"),
        Geometry(
            name: "a 2x3 kernel, stride (2, 1), padding (0, 2): 2 images, 1 channel 6x4, 2 filters",
            input: [2, 1, 6, 4],
            weight: [2, 1, 2, 3], stride: (2, 1), padding: (0, 2),
            hint: "heights and widths each have their own kernel size, stride and padding"),
    ]

    static func data(_ geometry: Geometry, seed: UInt64) -> (
        input: [Float], weight: [Float], bias: [Float], gradient: [Float]
    ) {
        (
            randomValues(geometry.input.reduce(1, *), seed: seed),
            randomValues(geometry.weight.reduce(1, *), seed: seed + 1),
            randomValues(geometry.weight[0], seed: seed + 2), randomValues(geometry.output.reduce(1, *), seed: seed + 3)
        )
    }

    public typealias Forward = ([Float], [Int], [Float], [Int], [Float], (Int, Int), (Int, Int)) throws -> [Float]

    public static func conv2dForward(_ learner: Forward, grader: Grader) throws {
        try grader.check(
            "a 3x3 input and a 2x2 kernel of ones, bias 10: a known answer",
            hint: "out[y, x] = bias + the sum of the kernel times the window starting at (y, x)"
        ) {
            let answer = try learner(
                [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3], [1, 1, 1, 1], [1, 1, 2, 2], [10], (1, 1), (0, 0))
            try expectClose(
                answer, [22, 26, 34, 38], shape: [1, 1, 2, 2], what: "the output",
                mistakes: [("no bias", [12, 16, 24, 28])])
        }
        for (index, g) in geometries.enumerated() {
            try grader.check(g.name, hint: g.hint) {
                let d = data(g, seed: UInt64(index * 10))
                let reference = ReferenceConvolution.forward(
                    input: d.input, inputShape: g.input, weight: d.weight, weightShape: g.weight, bias: d.bias,
                    stride: g.stride, padding: g.padding)
                try expectClose(
                    try learner(d.input, g.input, d.weight, g.weight, d.bias, g.stride, g.padding), reference.output,
                    shape: g.output, what: "the output")
            }
        }
    }

    public typealias InputGradient = ([Float], [Float], [Int], [Int], (Int, Int), (Int, Int)) throws -> [Float]

    public static func conv2dInputGradient(_ learner: InputGradient, grader: Grader) throws {
        for (index, g) in geometries.enumerated() {
            try grader.check(
                g.name + ": dL/dinput",
                hint: g.hint
                    + "; every input element in a window receives gradient * its weight, added up over all the "
                    + "windows it is in"
            ) {
                let d = data(g, seed: UInt64(index * 10 + 100))
                let reference = ReferenceConvolution.backward(
                    outputGradient: d.gradient, input: d.input, inputShape: g.input, weight: d.weight,
                    weightShape: g.weight,
                    stride: g.stride, padding: g.padding)
                try expectClose(
                    try learner(d.gradient, d.weight, g.weight, g.input, g.stride, g.padding), reference.input,
                    shape: g.input, what: "dL/dinput")
            }
        }
        try grader.check(
            "central differences of L = sum(gradient * conv(input)), stride 2, padding 1",
            hint: "the input gradient is what a tiny change of each input element does to L"
        ) {
            let g = geometries[2]
            let d = data(g, seed: 7)
            let numeric = centralDifferences(
                { point in
                    let out = ReferenceConvolution.forward(
                        input: point.map(Float.init), inputShape: g.input, weight: d.weight, weightShape: g.weight,
                        bias: nil, stride: g.stride, padding: g.padding
                    ).output
                    return zip(out, d.gradient).reduce(0.0) { $0 + Double($1.0 * $1.1) }
                }, at: d.input.map(Double.init), step: 1e-2)
            try expectClose(
                try learner(d.gradient, d.weight, g.weight, g.input, g.stride, g.padding), numeric, shape: g.input,
                what: "dL/dinput", tolerance: 1e-2)
        }
    }

    public typealias WeightGradient = ([Float], [Float], [Int], [Int], (Int, Int), (Int, Int)) throws -> (
        weight: [Float], bias: [Float]
    )

    public static func conv2dWeightGradient(_ learner: WeightGradient, grader: Grader) throws {
        for (index, g) in geometries.enumerated() {
            try grader.check(
                g.name + ": dL/dweight and dL/dbias",
                hint: g.hint + "; each weight receives gradient * the input element it multiplied, summed over every "
                    + "window and every image of the batch; the bias sums its channel's gradients"
            ) {
                let d = data(g, seed: UInt64(index * 10 + 200))
                let reference = ReferenceConvolution.backward(
                    outputGradient: d.gradient, input: d.input, inputShape: g.input, weight: d.weight,
                    weightShape: g.weight,
                    stride: g.stride, padding: g.padding)
                let answer = try learner(d.gradient, d.input, g.input, g.weight, g.stride, g.padding)
                var firstImageOnly = reference.weight
                if g.input[0] > 1 {
                    let perImage = g.input.dropFirst().reduce(1, *), outputPerImage = g.output.dropFirst().reduce(1, *)
                    firstImageOnly =
                        ReferenceConvolution.backward(
                            outputGradient: Array(d.gradient[0..<outputPerImage]), input: Array(d.input[0..<perImage]),
                            inputShape: [1] + g.input.dropFirst(), weight: d.weight, weightShape: g.weight,
                            stride: g.stride,
                            padding: g.padding
                        ).weight
                }
                try expectClose(
                    answer.weight, reference.weight, shape: g.weight, what: "dL/dweight",
                    mistakes: g.input[0] > 1 ? [("the first image of the batch only", firstImageOnly)] : [])
                let outputPlane = g.output[2] * g.output[3]
                let count = Float(g.output[0] * outputPlane)
                try expectClose(
                    answer.bias, reference.bias, shape: [g.weight[0]], what: "dL/dbias",
                    mistakes: [("the mean instead of the sum", reference.bias.map { $0 / count })])
            }
        }
    }

    public typealias PoolForward = ([Float], [Int], (Int, Int), (Int, Int)) throws -> [Float]

    /// Pooling cases: sizes, kernels and strides, and inputs with ties (zeros, as after ReLU).
    static let poolings: [(name: String, shape: [Int], kernel: (Int, Int), stride: (Int, Int), hint: String)] = [
        (
            "2x2 windows, stride 2, on 2 images of 3 channels 6x4", [2, 3, 6, 4], (2, 2), (2, 2),
            "each output is the largest of its own 2x2 window"
        ),
        (
            "overlapping 3x3 windows, stride 1, on 1 image 5x6", [1, 1, 5, 6], (3, 3), (1, 1),
            "windows start `stride` apart, not a kernel apart"
        ),
        (
            "2x3 windows, stride (2, 1), 7x7 (a row and a column left over)", [1, 2, 7, 7], (2, 3), (2, 1),
            "out has (H - kh) / sh + 1 rows: what does not fill a window is left out"
        ),
    ]

    static func poolInput(_ shape: [Int], seed: UInt64) -> [Float] {
        // Rounded to tenths and clipped at 0 as ReLU does: many windows hold ties.
        randomValues(shape.reduce(1, *), seed: seed).map { Swift.max(0, ($0 * 10).rounded() / 10) }
    }

    public static func maxPool2dForward(_ learner: PoolForward, grader: Grader) throws {
        try grader.check(
            "a 4x4 plane, 2x2 windows: a known answer",
            hint: "the top-left output is the largest of rows 0-1 and columns 0-1"
        ) {
            let input: [Float] = [1, 5, 2, 0, 3, 4, 8, 1, 0, 2, 6, 6, 9, 1, 7, 3]
            try expectClose(
                try learner(input, [1, 1, 4, 4], (2, 2), (2, 2)), [5, 8, 9, 7], shape: [1, 1, 2, 2], what: "the output",
                mistakes: [("the average of each window", [3.25, 2.75, 3, 5.5])])
        }
        for (index, p) in poolings.enumerated() {
            try grader.check(p.name, hint: p.hint) {
                let input = poolInput(p.shape, seed: UInt64(index + 300))
                let reference = ReferenceConvolution.pool(
                    input: input, inputShape: p.shape, kernel: p.kernel, stride: p.stride, average: false)
                try expectClose(
                    try learner(input, p.shape, p.kernel, p.stride), reference.output, shape: reference.shape,
                    what: "the output")
            }
        }
    }

    public typealias PoolBackward = ([Float], [Float], [Int], (Int, Int), (Int, Int)) throws -> [Float]

    public static func maxPool2dBackward(_ learner: PoolBackward, grader: Grader) throws {
        try grader.check(
            "a window [1, 5; 3, 4] sends its gradient 2 to the 5 only",
            hint: "the whole gradient goes to the maximum; the other elements of the window get 0"
        ) {
            try expectClose(
                try learner([2], [1, 5, 3, 4], [1, 1, 2, 2], (2, 2), (2, 2)), [0, 2, 0, 0], shape: [1, 1, 2, 2],
                what: "dL/dinput",
                mistakes: [("the gradient to every element", [2, 2, 2, 2])])
        }
        try grader.check(
            "a tie: the window [0, 7; 7, 0] sends its gradient to the first 7 (row-major), as PyTorch",
            hint: "on a tie keep the first maximum: replace the winner only when a value is strictly larger"
        ) {
            try expectClose(
                try learner([3], [0, 7, 7, 0], [1, 1, 2, 2], (2, 2), (2, 2)), [0, 3, 0, 0], shape: [1, 1, 2, 2],
                what: "dL/dinput",
                mistakes: [("the last maximum", [0, 0, 3, 0]), ("every maximum", [0, 3, 3, 0])])
        }
        for (index, p) in poolings.enumerated() {
            try grader.check(
                p.name + ": dL/dinput as autograd's maxPool2d gives",
                hint: p.hint + "; where windows overlap, an element collects (+=) the gradient of every window it won"
            ) {
                let input = poolInput(p.shape, seed: UInt64(index + 400))
                let tensor = Tensor(shape: p.shape, data: input, requiresGrad: true)
                let output = maxPool2d(tensor, kernelSize: p.kernel, stride: p.stride)
                let gradient = randomValues(output.count, seed: UInt64(index + 500))
                output.backward(Tensor(shape: output.shape, data: gradient))
                try expectClose(
                    try learner(gradient, input, p.shape, p.kernel, p.stride), tensor.grad!.data, shape: p.shape,
                    what: "dL/dinput")
            }
        }
    }
}
