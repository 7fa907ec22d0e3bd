import Autograd
import Convolution
import Datasets
import Foundation
import MatrixMath
import Metrics
import NeuralNetwork
import Optimizers
import Random
import SoftmaxRegression
import Training

/// What an exercise does once it passes: the real thing, with the learner's code plugged in
/// where the library's would be, on MNIST, saying what it achieved. Each returns the lines to
/// print; `log` shows progress as it goes.
public enum RealRuns {
    /// MNIST's two splits from the data directory (downloaded if missing, as everywhere).
    static func mnist(_ directory: String) throws -> (train: MNIST, test: MNIST) {
        (try MNIST(split: .train, directory: directory), try MNIST(split: .test, directory: directory))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: ContinuousClock.now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }

    // MARK: - 01: the product's speed

    /// Times the learner's product against the library's on an n x n x n product.
    /// The best of two runs (the first also warms the caches and the kernels' buffers), in GFLOP/s.
    static func timeProduct(_ n: Int, _ product: (Matrix, Matrix) throws -> Matrix) throws -> Double {
        let a = randomMatrix(n, n, seed: 1), b = randomMatrix(n, n, seed: 2)
        var best = Double.infinity
        for _ in 0..<2 {
            let start = ContinuousClock.now
            _ = try product(a, b)
            best = Swift.min(best, seconds(since: start))
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    public static func matmulSpeed(
        _ learner: (Matrix, Matrix) throws -> Matrix, size n: Int, what: String, log: (String) -> Void
    ) throws -> [String] {
        log("timing \(what) on \(n)x\(n) matrices, and the library's kernels, and measuring this core's peak...")
        let yours = try timeProduct(n, learner)
        let naive = try timeProduct(n) { $0.matmul($1, kernel: .naive) }
        let packed = try timeProduct(n) { $0.matmul($1, kernel: .packed) }
        let peak = FMAPeak.measure(threads: 1)
        func line(_ name: String, _ speed: Double) -> String {
            "  \(name): \(String(format: "%6.1f", speed)) GFLOP/s, \(String(format: "%5.1f", speed / peak * 100))% of one core's peak"
        }
        return [
            "Your \(what) multiplied two \(n)x\(n) matrices (\(2 * n * n * n / 1_000_000) million FLOPs):",
            line("yours                ", yours), line("library, naive loops ", naive),
            line("library, packed SIMD ", packed),
            "  (one core's peak, measured just now: \(String(format: "%.0f", peak)) GFLOP/s)",
        ]
    }

    // MARK: - 02: softmax regression trained with the learner's pieces

    /// Trains softmax regression (tutorial 02's model and recipe: 8 epochs of SGD, lr 0.5, batch 64)
    /// with the gradient coming from `gradients`, and tests it.
    public static func softmaxRegression(
        directory: String, epochs: Int = 8, log: (String) -> Void,
        gradients: (Matrix, [Int], Matrix, Matrix) throws -> (weight: Matrix, bias: Matrix)
    ) throws -> [String] {
        let data = try mnist(directory)
        var generator = SeededGenerator(seed: 1)
        var model = SoftmaxRegression(features: 784, classes: 10, using: &generator)
        let start = ContinuousClock.now
        for epoch in 1...epochs {
            for batch in DataLoader(data.train, batchSize: 64, shuffle: true, seed: UInt64(epoch)) {
                let (dW, db) = try gradients(batch.inputs, batch.labels, model.weight, model.bias)
                model.weight -= 0.5 * dW
                model.bias -= 0.5 * db
            }
            log("epoch \(epoch) of \(epochs) done")
        }
        var score = ClassificationScore()
        for batch in DataLoader(data.test, batchSize: 1000) {
            model.score(inputs: batch.inputs, labels: batch.labels, into: &score)
        }
        return [
            "Softmax regression trained with it: \(epochs) epochs of SGD (lr 0.5, batch 64) in "
                + "\(String(format: "%.1f", seconds(since: start))) s.",
            "Test set: \(score)",
        ]
    }

    // MARK: - Training a Module with pieces of the learner's

    /// A 784-128-10 network whose two layers are `layer(x, weight, bias)`.
    final class PluggedMLP: Module {
        let weight1 = Parameter(Linear(inputFeatures: 784, outputFeatures: 128).weight)
        let bias1 = Parameter(Linear(inputFeatures: 784, outputFeatures: 128).bias!)
        let weight2 = Parameter(Linear(inputFeatures: 128, outputFeatures: 10).weight)
        let bias2 = Parameter(Linear(inputFeatures: 128, outputFeatures: 10).bias!)
        let layer: (Tensor, Tensor, Tensor) -> Tensor

        init(layer: @escaping (Tensor, Tensor, Tensor) -> Tensor) {
            self.layer = layer
            super.init()
        }

        override func forward(_ input: Tensor) -> Tensor {
            layer(layer(input.flattened(startDim: 1), weight1, bias1).relu(), weight2, bias2)
        }
    }

    /// One epoch of `model` with `optimizer`, the backward pass done by `backward`, then the test.
    static func trainAndTest(
        _ model: Module, optimizer: Optimizer, directory: String, batchSize: Int = 64, limit: Int? = nil,
        normalize: Normalize? = MNIST.normalization, log: (String) -> Void,
        backward: (Tensor) throws -> Void = { $0.backward() }
    ) throws -> (score: ClassificationScore, seconds: Double, images: Int) {
        let data = try mnist(directory)
        let loader = DataLoader(
            data.train, batchSize: batchSize, shuffle: true, seed: 1, limit: limit, normalize: normalize)
        let start = ContinuousClock.now
        var done = 0
        model.train()
        for (index, batch) in loader.enumerated() {
            optimizer.zeroGrad()
            let loss = crossEntropy(model(batch.images), labels: batch.labels)
            try backward(loss)
            optimizer.step()
            done += batch.count
            if index % 100 == 0 { log("  [\(done)/\(loader.sampleCount)] loss \(String(format: "%.4f", loss.item))") }
        }
        let trainingSeconds = seconds(since: start)
        let score = evaluate(model, on: DataLoader(data.test, batchSize: 1000, normalize: normalize))
        return (score, trainingSeconds, done)
    }

    static func report(_ what: String, _ result: (score: ClassificationScore, seconds: Double, images: Int)) -> [String]
    {
        [
            "\(what): one epoch of \(result.images) images in \(String(format: "%.1f", result.seconds)) s.",
            "Test set: \(result.score)",
        ]
    }

    /// The library's `x W^T + b`.
    public static func libraryLinear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor) -> Tensor {
        x.linear(weight: weight, bias: bias)
    }

    public static func mlp(
        directory: String, what: String, log: (String) -> Void,
        layer: @escaping (Tensor, Tensor, Tensor) -> Tensor = libraryLinear,
        optimizer makeOptimizer: ([Parameter]) -> Optimizer = { Adam(parameters: $0) },
        backward: (Tensor) throws -> Void = { $0.backward() }
    ) throws -> [String] {
        manualSeed(1)
        let model = PluggedMLP(layer: layer)
        let result = try trainAndTest(
            model, optimizer: makeOptimizer(model.parameters()), directory: directory, log: log, backward: backward)
        return report("A 784-128-10 network trained \(what)", result)
    }

    /// A layer computing x W^T + b whose backward is the learner's `linearBackward` (3.4).
    public static func linearLayer(
        _ learner: @escaping (Matrix, Matrix, Matrix) throws -> (input: Matrix, weight: Matrix, bias: [Float])
    ) -> (Tensor, Tensor, Tensor) -> Tensor {
        { x, weight, bias in
            let value = withNoGrad { x.linear(weight: weight, bias: bias) }
            return Tensor.result(
                shape: value.shape, data: value.data, inputs: [x, weight, bias], name: "YourLinearBackward"
            ) {
                gradient, needs in
                let g = Matrix(rows: x.shape[0], columns: weight.shape[0], storage: gradient)
                // A wrong answer that passed the grader's shapes cannot reach here; if it throws,
                // the run stops with zeros, which the accuracy will show.
                guard let answer = try? learner(g, x.matrix, weight.matrix) else { return [nil, nil, nil] }
                return [needs[0] ? answer.input.storage : nil, answer.weight.storage, answer.bias]
            }
        }
    }

    /// A layer computing x W^T + b as two of the learner's matrix products (3.3) and a library add.
    public static func matmulLayer(
        _ learner: @escaping (Matrix, Matrix, Matrix) throws -> (a: Matrix, b: Matrix)
    ) -> (Tensor, Tensor, Tensor) -> Tensor {
        { x, weight, bias in
            let transposed = weight.transposed()
            let value = withNoGrad { x.matmul(transposed) }
            let product = Tensor.result(
                shape: value.shape, data: value.data, inputs: [x, transposed], name: "YourMmBackward"
            ) {
                gradient, _ in
                let g = Matrix(rows: x.shape[0], columns: transposed.shape[1], storage: gradient)
                guard let answer = try? learner(g, x.matrix, transposed.matrix) else { return [nil, nil] }
                return [answer.a.storage, answer.b.storage]
            }
            return product + bias
        }
    }

    /// Softmax regression whose probabilities come through `exp` and a product with the
    /// learner's backward: p = exp(z - max) * (1 / sum), loss = -mean(log p[label]).
    public static func softmaxThroughOperations(
        directory: String, what: String, log: (String) -> Void,
        exp expBackward: (([Float], [Float]) throws -> [Float])? = nil,
        multiply multiplyBackward: (([Float], [Float], [Float]) throws -> (a: [Float], b: [Float]))? = nil
    ) throws -> [String] {
        func exp(_ x: Tensor) -> Tensor {
            guard let expBackward else { return x.exp() }
            let value = x.data.map { Foundation.exp($0) }
            return Tensor.result(shape: x.shape, data: value, inputs: [x], name: "YourExpBackward") { gradient, _ in
                [(try? expBackward(gradient, x.data)) ?? [Float](repeating: 0, count: x.count)]
            }
        }
        func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
            guard let multiplyBackward else { return a * b }
            let value = zip(a.data, b.data).map { $0 * $1 }
            return Tensor.result(shape: a.shape, data: value, inputs: [a, b], name: "YourMulBackward") { gradient, _ in
                guard let answer = try? multiplyBackward(gradient, a.data, b.data) else { return [nil, nil] }
                return [answer.a, answer.b]
            }
        }
        manualSeed(1)
        let linear = Linear(inputFeatures: 784, outputFeatures: 10)
        final class Wrapper: Module {
            let linear: Linear
            let body: (Tensor) -> Tensor
            init(_ linear: Linear, _ body: @escaping (Tensor) -> Tensor) {
                self.linear = linear
                self.body = body
            }
            override func forward(_ input: Tensor) -> Tensor { body(input) }
        }
        let model = Wrapper(linear) { input in
            let z = linear(input.flattened(startDim: 1))
            let shifted = z - Tensor(shape: [z.shape[0], 1], data: z.max(dim: 1).values.data)
            let e = exp(shifted)
            let inverse = 1 / e.sum(dim: 1, keepDim: true)
            let probabilities = multiply(e, inverse * Tensor.ones(e.shape))
            // crossEntropy of log-probabilities is their NLL (log-softmax changes nothing).
            return probabilities.log()
        }
        let result = try trainAndTest(
            model, optimizer: Adam(parameters: model.parameters()), directory: directory, log: log)
        return report("Softmax regression trained with \(what) in its softmax", result)
    }

    // MARK: - The backward pass

    /// The library's walk, but in the learner's order (3.5).
    public static func backward(_ root: Tensor, order: (Tensor) throws -> [Tensor]) throws {
        var received: [ObjectIdentifier: [Float]] = [ObjectIdentifier(root): [1]]
        for tensor in try order(root).reversed() {
            guard let gradient = received.removeValue(forKey: ObjectIdentifier(tensor)), let function = tensor.gradFn
            else { continue }
            for (input, contribution) in zip(function.inputs, function.apply(gradient)) {
                guard let contribution, input.requiresGrad else { continue }
                if input.gradFn == nil {
                    let previous = input.grad?.data ?? [Float](repeating: 0, count: input.count)
                    input.grad = Tensor(shape: input.shape, data: zip(previous, contribution).map { $0 + $1 })
                } else {
                    let previous = received[ObjectIdentifier(input)] ?? [Float](repeating: 0, count: input.count)
                    received[ObjectIdentifier(input)] = zip(previous, contribution).map { $0 + $1 }
                }
            }
        }
    }

    // MARK: - Optimisers

    /// An optimiser whose update is the learner's function, one parameter at a time.
    final class PluggedOptimizer: Optimizer {
        let update: (Int, inout [Float], [Float]) throws -> Void
        init(
            parameters: [Parameter], learningRate: Float, update: @escaping (Int, inout [Float], [Float]) throws -> Void
        ) {
            self.update = update
            super.init(parameters: parameters, learningRate: learningRate)
        }
        override func update(parameter: Int, values: inout [Float], gradient: [Float]) {
            try? update(parameter, &values, gradient)
        }
    }

    public static func sgd(_ learner: @escaping ModuleGraders.SGDStep) -> ([Parameter]) -> Optimizer {
        { parameters in
            var velocities = [[Float]?](repeating: nil, count: parameters.count)
            return PluggedOptimizer(parameters: parameters, learningRate: 0.01) { index, values, gradient in
                try learner(&values, gradient, &velocities[index], 0.01, 0.9, 0)
            }
        }
    }

    public static func adam(_ learner: @escaping ModuleGraders.AdamStep) -> ([Parameter]) -> Optimizer {
        { parameters in
            var m = parameters.map { [Float](repeating: 0, count: $0.count) }
            var v = m
            var steps = [Int](repeating: 0, count: parameters.count)
            return PluggedOptimizer(parameters: parameters, learningRate: 1e-3) { index, values, gradient in
                steps[index] += 1
                try learner(&values, gradient, &m[index], &v[index], steps[index], 1e-3, 0.9, 0.999, 1e-8)
            }
        }
    }

    public static func twoLayerNetwork(directory: String, log: (String) -> Void, make: (Int, Int, Int) throws -> Module)
        throws -> [String]
    {
        manualSeed(1)
        let model = try make(784, 128, 10)
        final class Flattening: Module {
            let inner: Module
            init(_ inner: Module) { self.inner = inner }
            override func forward(_ input: Tensor) -> Tensor { inner(input.flattened(startDim: 1)) }
        }
        let wrapped = Flattening(model)
        let result = try trainAndTest(
            wrapped, optimizer: Adam(parameters: wrapped.parameters()), directory: directory, log: log)
        return report("Your TwoLayerNetwork(inputs: 784, hidden: 128, outputs: 10), trained with Adam", result)
    }

    // MARK: - 05: a small convnet with the learner's pieces

    /// The pieces of a convolution and a pooling; each defaults to the library's.
    public struct ConvolutionPieces {
        public var forward: ConvolutionGraders.Forward?
        public var inputGradient: ConvolutionGraders.InputGradient?
        public var weightGradient: ConvolutionGraders.WeightGradient?
        public var poolForward: ConvolutionGraders.PoolForward?
        public var poolBackward: ConvolutionGraders.PoolBackward?
        public init() {}
    }

    /// conv2d with the learner's pieces where given (the library's gradients for the others come
    /// from autograd on the library's conv2d).
    static func convolve(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, pieces: ConvolutionPieces) -> Tensor {
        let value =
            (try? pieces.forward?(x.data, x.shape, weight.data, weight.shape, bias.data, (1, 1), (0, 0)))
            ?? withNoGrad { conv2d(x, weight: weight, bias: bias).data }
        let outputShape = [
            x.shape[0], weight.shape[0], x.shape[2] - weight.shape[2] + 1, x.shape[3] - weight.shape[3] + 1,
        ]
        return Tensor.result(
            shape: outputShape, data: value, inputs: [x, weight, bias], name: "YourConvolutionBackward"
        ) {
            gradient, needs in
            var library: (input: [Float], weight: [Float], bias: [Float])?
            func fromLibrary() -> (input: [Float], weight: [Float], bias: [Float]) {
                if let library { return library }
                let (xi, wi, bi) = (
                    Tensor(shape: x.shape, data: x.data, requiresGrad: true),
                    Tensor(shape: weight.shape, data: weight.data, requiresGrad: true),
                    Tensor(shape: bias.shape, data: bias.data, requiresGrad: true)
                )
                conv2d(xi, weight: wi, bias: bi).backward(Tensor(shape: outputShape, data: gradient))
                library = (xi.grad!.data, wi.grad!.data, bi.grad!.data)
                return library!
            }
            let input: [Float]? =
                needs[0]
                ? ((try? pieces.inputGradient?(gradient, weight.data, weight.shape, x.shape, (1, 1), (0, 0)))
                    ?? fromLibrary().input) : nil
            let parameters =
                (try? pieces.weightGradient?(gradient, x.data, x.shape, weight.shape, (1, 1), (0, 0)))
                ?? {
                    let l = fromLibrary()
                    return (l.weight, l.bias)
                }()
            return [input, parameters.0, parameters.1]
        }
    }

    static func pool(_ x: Tensor, pieces: ConvolutionPieces) -> Tensor {
        guard pieces.poolForward != nil || pieces.poolBackward != nil else { return maxPool2d(x, kernelSize: (2, 2)) }
        let value =
            (try? pieces.poolForward?(x.data, x.shape, (2, 2), (2, 2)))
            ?? withNoGrad { maxPool2d(x, kernelSize: (2, 2)).data }
        let shape = [x.shape[0], x.shape[1], x.shape[2] / 2, x.shape[3] / 2]
        return Tensor.result(shape: shape, data: value, inputs: [x], name: "YourMaxPoolBackward") { gradient, _ in
            if let answer = try? pieces.poolBackward?(gradient, x.data, x.shape, (2, 2), (2, 2)) { return [answer] }
            let xi = Tensor(shape: x.shape, data: x.data, requiresGrad: true)
            maxPool2d(xi, kernelSize: (2, 2)).backward(Tensor(shape: shape, data: gradient))
            return [xi.grad!.data]
        }
    }

    /// conv 1 -> 8 (3x3), ReLU, 2x2 max pooling, conv 8 -> 16 (3x3), ReLU, pooling, Linear 400 -> 10.
    final class SmallConvNet: Module {
        let conv1 = Conv2d(inputChannels: 1, outputChannels: 8, kernelSize: 3)
        let conv2 = Conv2d(inputChannels: 8, outputChannels: 16, kernelSize: 3)
        let fc = Linear(inputFeatures: 16 * 5 * 5, outputFeatures: 10)
        let pieces: ConvolutionPieces

        init(pieces: ConvolutionPieces) {
            self.pieces = pieces
            super.init()
        }

        override func forward(_ input: Tensor) -> Tensor {
            let h1 = RealRuns.pool(
                RealRuns.convolve(input, conv1.weight, conv1.bias!, pieces: pieces).relu(), pieces: pieces)
            let h2 = RealRuns.pool(
                RealRuns.convolve(h1, conv2.weight, conv2.bias!, pieces: pieces).relu(), pieces: pieces)
            return fc(h2.flattened(startDim: 1))
        }
    }

    public static func convolution(directory: String, what: String, pieces: ConvolutionPieces, log: (String) -> Void)
        throws
        -> [String]
    {
        manualSeed(1)
        let model = SmallConvNet(pieces: pieces)
        let result = try trainAndTest(
            model, optimizer: Adam(parameters: model.parameters()), directory: directory, log: log)
        return report(
            "A two-convolution network (conv 1->8 3x3, pool, conv 8->16 3x3, pool, Linear 400->10) trained with \(what)",
            result)
    }
}
