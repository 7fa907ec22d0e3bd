import Autograd
import Datasets
import MatrixMath
import Models
import NeuralNetwork
import Optimizers
import Parallel
import Random
import TestSupport
import Testing
import Training

/// What "the same answer twice" means here, checked on convnet itself.
@Suite("Reproducible training", .serialized, .isolatedRandomness)
struct ReproducibilityTests {
    /// Trains MNISTConvNet for one epoch on 96 synthetic 28x28 images with `threads` cores and
    /// returns its weights.
    func trainConvnet(seed: UInt64, threads: Int) -> [[Float]] {
        Parallelism.withThreadCount(threads) { trainConvnetNow(seed: seed) }
    }

    func trainConvnetNow(seed: UInt64) -> [[Float]] {
        let data = DigitLikeDataset(count: 96, seed: 5)
        manualSeed(seed)
        let model = MNISTConvNet()
        let optimizer = Adam(parameters: model.parameters())
        var run = TrainingRun(modelName: "convnet", epochs: 1)
        run.log = { _ in }
        _ = try? run.train(
            model: model, optimizer: optimizer,
            trainLoader: DataLoader(
                data, batchSize: 32, shuffle: true, seed: seed,
                normalize: Normalize(mean: [0.5], std: [0.5])),
            testLoader: DataLoader(data, batchSize: 96))
        return model.parameters().map(\.data)
    }

    @Test("Two convnet runs with the same seed and thread count end with bitwise-identical weights")
    func sameSeedSameWeights() {
        #expect(trainConvnet(seed: 3, threads: 2) == trainConvnet(seed: 3, threads: 2))
        #expect(trainConvnet(seed: 3, threads: 1) == trainConvnet(seed: 3, threads: 1))
        #expect(trainConvnet(seed: 3, threads: 2) != trainConvnet(seed: 4, threads: 2))
    }

    @Test(
        "The parallel GEMM gives bitwise the same product on 1, 2 and 3 threads (each C entry is summed by one thread, in one order)"
    )
    func gemmIndependentOfThreads() {
        var generator = SeededGenerator(seed: 8)
        let a = Matrix.normal(rows: 300, columns: 500, using: &generator)
        let b = Matrix.normal(rows: 500, columns: 200, using: &generator)
        let products = [1, 2, 3].map { threads in Parallelism.withThreadCount(threads) { a.matmul(b) } }
        #expect(products[0] == products[1] && products[1] == products[2])
    }
}

/// Random 28x28 "digits": a bright blob whose position encodes the label.
struct DigitLikeDataset: ImageClassificationDataset {
    let pixels: [UInt8]
    let labels: [Int]
    var channels: Int { 1 }
    var height: Int { 28 }
    var width: Int { 28 }
    var classNames: [String] { (0...9).map(String.init) }

    init(count: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var pixels: [UInt8] = [], labels: [Int] = []
        for _ in 0..<count {
            let label = Int(generator.next() % 10)
            let (cx, cy) = (4 + (label % 5) * 5, 8 + (label / 5) * 12)
            for y in 0..<28 {
                for x in 0..<28 {
                    let near = abs(x - cx) < 3 && abs(y - cy) < 3
                    pixels.append(near ? 200 + UInt8(generator.next() % 56) : UInt8(generator.next() % 40))
                }
            }
            labels.append(label)
        }
        self.pixels = pixels
        self.labels = labels
    }
}

@Suite("One manualSeed reproduces a run", .serialized, .isolatedRandomness)
struct ManualSeedTests {
    @Test("A shuffling DataLoader without its own seed takes one from manualSeed's generator")
    func loaderFollowsManualSeed() {
        let dataset = QuadrantDataset(count: 40, seed: 1)
        func order(_ seed: UInt64) -> [Int] {
            manualSeed(seed)
            return DataLoader(dataset, batchSize: 8, shuffle: true).flatMap(\.indices)
        }
        #expect(order(3) == order(3))
        #expect(order(3) != order(4))
    }

    @Test("Progress lines count as PyTorch's example: images before the batch, batches before it in percent")
    func pytorchProgressLine() {
        var lines: [String] = []
        let progress = ProgressLines { lines.append($0) }
        progress.step(
            StepReport(
                epoch: 1, batch: 1, batchesInEpoch: 938, imagesDone: 64, imagesInEpoch: 60000, imagesBefore: 0,
                loss: 2.3, seconds: 0.1, isLogged: true))
        progress.step(
            StepReport(
                epoch: 1, batch: 11, batchesInEpoch: 938, imagesDone: 704, imagesInEpoch: 60000, imagesBefore: 640,
                loss: 1.25, seconds: 1, isLogged: true))
        #expect(
            lines == [
                "Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.300000", "Train Epoch: 1 [640/60000 (1%)]\tLoss: 1.250000",
            ])
    }
}
