import Autograd
import Convolution
import Datasets
import Foundation
import NeuralNetwork
import Optimizers
import Random
import TestSupport
import Testing
import Training

/// 240 random 1x8x8 images whose label is the brightest quadrant, learnable by a small network.
struct QuadrantDataset: ImageClassificationDataset {
    let pixels: [UInt8]
    let labels: [Int]
    var channels: Int { 1 }
    var height: Int { 8 }
    var width: Int { 8 }
    var classNames: [String] { ["top left", "top right", "bottom left", "bottom right"] }

    init(count: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var pixels: [UInt8] = [], labels: [Int] = []
        for _ in 0..<count {
            let label = Int(generator.next() % 4)
            for y in 0..<8 {
                for x in 0..<8 {
                    let quadrant = (y / 4) * 2 + x / 4
                    pixels.append(UInt8(generator.next() % 120) + (quadrant == label ? 120 : 0))
                }
            }
            labels.append(label)
        }
        self.pixels = pixels
        self.labels = labels
    }
}

/// A convolution, dropout and a Linear layer: every kind of state a checkpoint must restore.
final class SmallNet: Module {
    let conv = Conv2d(inputChannels: 1, outputChannels: 4, kernelSize: 3)
    let dropout = Dropout(p: 0.3)
    let fc = Linear(inputFeatures: 4 * 6 * 6, outputFeatures: 4)

    override func forward(_ x: Tensor) -> Tensor {
        fc(dropout(conv(x).relu()).flattened(startDim: 1))
    }
}

@Suite("Training runs: checkpoints, resume, divergence", .serialized, .isolatedRandomness)
struct TrainingRunTests {
    let train = QuadrantDataset(count: 240, seed: 1)
    let test = QuadrantDataset(count: 80, seed: 2)

    func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "kindling-run-\(UUID().uuidString)"
    }

    /// Trains SmallNet for 3 epochs, optionally stopping after `interruptAfter` epochs and resuming
    /// in fresh objects (made from another seed, so only the checkpoint can make them agree).
    func finalWeights(interruptAfter: Int?, directory: String) throws -> [[Float]] {
        func fresh(seed: UInt64) -> (SmallNet, Optimizer, DataLoader<QuadrantDataset>, DataLoader<QuadrantDataset>) {
            manualSeed(seed)
            let model = SmallNet()
            let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
            return (
                model, optimizer, DataLoader(train, batchSize: 16, shuffle: true, seed: seed),
                DataLoader(test, batchSize: 40)
            )
        }
        var (model, optimizer, trainLoader, testLoader) = fresh(seed: 7)
        if let interruptAfter {
            var first = TrainingRun(modelName: "small", epochs: interruptAfter, checkpointDirectory: directory)
            first.gamma = 0.7
            first.log = { _ in }
            _ = try first.train(model: model, optimizer: optimizer, trainLoader: trainLoader, testLoader: testLoader)
            (model, optimizer, trainLoader, testLoader) = fresh(seed: 99)
        }
        var run = TrainingRun(
            modelName: "small", epochs: 3, checkpointDirectory: interruptAfter == nil ? nil : directory,
            resume: interruptAfter != nil)
        run.gamma = 0.7
        run.log = { _ in }
        _ = try run.train(model: model, optimizer: optimizer, trainLoader: trainLoader, testLoader: testLoader)
        return model.parameters().map(\.data)
    }

    @Test("A run interrupted after epoch 1 or 2 and resumed ends with exactly the weights of an uninterrupted run")
    func resumeIsExact() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let uninterrupted = try finalWeights(interruptAfter: nil, directory: directory)
        for stop in [1, 2] {
            try? FileManager.default.removeItem(atPath: directory)
            #expect(
                try finalWeights(interruptAfter: stop, directory: directory) == uninterrupted,
                "interrupted after epoch \(stop)")
        }
        // Checkpoints are whole folders named by `latest`; only the last two are kept.
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(entries == ["epoch-2", "epoch-3", "latest"])
    }

    @Test("A checkpoint directory of another model refuses to resume and says why")
    func otherModel() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        manualSeed(1)
        let model = SmallNet()
        var run = TrainingRun(modelName: "small", epochs: 1, checkpointDirectory: directory)
        run.log = { _ in }
        _ = try run.train(
            model: model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.01),
            trainLoader: DataLoader(train, batchSize: 60), testLoader: DataLoader(test, batchSize: 80))
        var other = TrainingRun(modelName: "convnet", epochs: 2, checkpointDirectory: directory, resume: true)
        other.log = { _ in }
        #expect {
            _ = try other.train(
                model: model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.01),
                trainLoader: DataLoader(train, batchSize: 60), testLoader: DataLoader(test, batchSize: 80))
        } throws: { error in
            "\(error)".contains("checkpoint of model 'small', not 'convnet'")
        }
    }

    @Test(
        "When the loss stops being finite, training stops with the step and learning rate, and keeps the last good checkpoint"
    )
    func divergence() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        manualSeed(3)
        let model = SmallNet()
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
        var lines: [String] = []
        var run = TrainingRun(modelName: "small", epochs: 3, checkpointDirectory: directory)
        run.log = { lines.append($0) }
        let loader = DataLoader(train, batchSize: 60)
        // One good epoch, then a learning rate that blows the weights up.
        run.epochs = 1
        _ = try run.train(
            model: model, optimizer: optimizer, trainLoader: loader, testLoader: DataLoader(test, batchSize: 80))
        optimizer.learningRate = 1e30
        run.epochs = 3
        run.resume = true
        let outcome = try run.train(
            model: model, optimizer: optimizer, trainLoader: loader, testLoader: DataLoader(test, batchSize: 80))
        #expect(outcome.diverged)
        #expect(lines.contains { $0.contains("no longer finite at step") && $0.contains("learning rate") })
        #expect(lines.contains { $0.contains("last good checkpoint, after epoch") })
        #expect(try Checkpoint.loadLatest(from: directory, maximumTensorBytes: 1 << 20)?.epoch == 1)
    }
}
