import Autograd
import Datasets
import Files
import Foundation
import NeuralNetwork
import Optimizers
import Random
import TestSupport
import Testing
import Training

/// Hostile and mistaken checkpoint directories: every one is refused with its path and a reason,
/// before training starts where possible, and nothing outside the run's own files is touched.
@Suite("Checkpoints refuse what is not theirs", .serialized, .isolatedRandomness)
struct CheckpointSafetyTests {
    let train = QuadrantDataset(count: 120, seed: 1)
    let test = QuadrantDataset(count: 40, seed: 2)

    func folder() -> String {
        let path = NSTemporaryDirectory() + "kindling-checkpoint-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Trains SmallNet for `epochs` with checkpoints in `directory`; returns what it logged.
    @discardableResult
    func run(epochs: Int, in directory: String, resume: Bool = false, plot: String? = nil, modelName: String = "small")
        throws -> [String]
    {
        manualSeed(1)
        let model = SmallNet()
        var lines: [String] = []
        var run = TrainingRun(modelName: modelName, epochs: epochs, checkpointDirectory: directory, resume: resume)
        run.plotPath = plot
        run.log = { lines.append($0) }
        _ = try run.train(
            model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 0.01),
            trainLoader: DataLoader(train, batchSize: 30), testLoader: DataLoader(test, batchSize: 40))
        return lines
    }

    /// Rewrites the latest checkpoint's state.json through `edit`.
    func editState(_ directory: String, _ edit: (inout [String: Any]) -> Void) throws {
        let path = directory + "/epoch-1/state.json"
        var state =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        edit(&state)
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: path))
    }

    func resumeError(_ directory: String) -> String {
        do {
            try run(epochs: 2, in: directory, resume: true)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("A forged state.json (huge or negative epoch, a history value of 1e300) is refused, never trusted")
    func forgedState() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try run(epochs: 1, in: directory)
        try editState(directory) { $0["epoch"] = 9_223_372_036_854_775_807 }
        #expect(resumeError(directory).contains("is not the folder's epoch 1"))
        try editState(directory) { $0["epoch"] = -3 }
        #expect(resumeError(directory).contains("is not the folder's epoch 1"))
        try editState(directory) {
            $0["epoch"] = 1
            $0["loss_history"] = [[1e300, 0.5]]
        }
        #expect(resumeError(directory).contains("is out of range"))
        // Finite but extreme losses are a history to draw, not an error: the plot copes.
        try editState(directory) { $0["loss_history"] = [[1, 1e308], [2, -1e308], [3, 9e15]] }
        try run(epochs: 2, in: directory, resume: true, plot: directory + "/plot.svg")
        #expect(try String(contentsOfFile: directory + "/plot.svg", encoding: .utf8).contains("<polyline"))
    }

    @Test("`latest` may only name an epoch-N folder of its own directory")
    func latestStaysInside() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try run(epochs: 1, in: directory)
        try FileWriting.write("../victim/epoch-1", to: directory + "/latest")
        #expect(resumeError(directory).contains("names '../victim/epoch-1', not an epoch-N folder of this directory"))
    }

    @Test("Without --resume, a directory holding checkpoints is refused before training, and nothing in it changes")
    func noSilentOverwrite() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try run(epochs: 1, in: directory, modelName: "other")
        let before = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect {
            try run(epochs: 1, in: directory)
        } throws: { error in
            "\(error)".contains("holds checkpoints of other up to epoch 1; add --resume")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == before)
    }

    @Test("--resume with epoch folders but no `latest` refuses instead of starting over")
    func resumeWithoutLatest() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try run(epochs: 1, in: directory)
        try FileManager.default.removeItem(atPath: directory + "/latest")
        #expect(resumeError(directory).contains("holds epoch-1 but no 'latest' file"))
        #expect(FileManager.default.fileExists(atPath: directory + "/epoch-1/model.safetensors"))
    }

    @Test("A user's own folder named epoch-N is never deleted when old checkpoints are pruned")
    func userFoldersSurvive() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try run(epochs: 1, in: directory)
        try FileManager.default.createDirectory(atPath: directory + "/epoch-0", withIntermediateDirectories: true)
        try FileWriting.write("my notes", to: directory + "/epoch-0/notes.txt")
        try run(epochs: 4, in: directory, resume: true)
        #expect(try String(contentsOfFile: directory + "/epoch-0/notes.txt", encoding: .utf8) == "my notes")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == [
                "epoch-0", "epoch-3", "epoch-4", "latest",
            ])
    }

    @Test("A checkpoint directory that is a file, and a plot in a missing folder, fail before the first step")
    func outputsCheckedFirst() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileWriting.write("not a folder", to: directory + "/file")
        var lines: [String] = []
        #expect {
            lines = try run(epochs: 1, in: directory + "/file")
        } throws: { error in
            "\(error)" == "\(directory)/file: cannot save checkpoints: it is a file, not a folder"
        }
        #expect {
            try run(epochs: 1, in: directory + "/run", plot: directory + "/missing/plot.svg")
        } throws: { error in
            "\(error)".contains("missing/plot.svg: cannot write: its folder") && "\(error)".contains("does not exist")
        }
        #expect(lines.isEmpty)
    }

    @Test("Training on an empty training set is refused")
    func emptyTrainingSet() throws {
        manualSeed(1)
        let model = SmallNet()
        let run = TrainingRun(modelName: "small", epochs: 1)
        #expect {
            _ = try run.train(
                model: model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.1),
                trainLoader: DataLoader(train, batchSize: 30, range: 0..<0), testLoader: DataLoader(test, batchSize: 40)
            )
        } throws: { error in
            "\(error)".contains("the training set is empty")
        }
    }

    @Test("Weights that stop being finite in an epoch's last step are never checkpointed")
    func nanWeightsNotSaved() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        manualSeed(1)
        let model = SmallNet()
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
        var run = TrainingRun(modelName: "small", epochs: 1, checkpointDirectory: directory)
        run.log = { _ in }
        // One batch per epoch: its loss is finite, the huge step after it is not.
        let loader = DataLoader(train, batchSize: 120)
        _ = try run.train(
            model: model, optimizer: optimizer, trainLoader: loader, testLoader: DataLoader(test, batchSize: 40))
        optimizer.learningRate = 1e38
        run.epochs = 3
        run.resume = true
        var lines: [String] = []
        run.log = { lines.append($0) }
        let outcome = try run.train(
            model: model, optimizer: optimizer, trainLoader: loader, testLoader: DataLoader(test, batchSize: 40))
        #expect(outcome.diverged)
        let saved = try #require(try Checkpoint.loadLatest(from: directory, maximumTensorBytes: 1 << 20))
        #expect(saved.model.allSatisfy { $0.tensor.data.allSatisfy(\.isFinite) })
    }
}
