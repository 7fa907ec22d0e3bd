import Autograd
import Foundation
import NeuralNetwork

/// Everything needed to continue a training run exactly where it stopped: the weights, the
/// optimiser's moments, the scheduler's epoch, and the state of every random generator (the
/// shuffling order, the dropout masks, the default generator).
///
/// A checkpoint is a folder `epoch-N` inside the checkpoint directory, written under a temporary
/// name and renamed into place, then named in the file `latest` (also replaced atomically): a
/// crash at any moment leaves the previous checkpoint intact and `latest` pointing at a whole one.
///
///     DIR/latest                  "epoch-3"
///     DIR/epoch-3/model.safetensors
///     DIR/epoch-3/optimizer.safetensors
///     DIR/epoch-3/state.json      model name, epoch, generator states, loss history
///
/// ```swift
/// try Checkpoint(...).save(in: "runs/convnet")
/// let saved = try Checkpoint.loadLatest(from: "runs/convnet")
/// ```
public struct Checkpoint {
    public var modelName: String
    /// Epochs completed.
    public var epoch: Int
    public var model: StateDict
    public var optimizer: [(name: String, values: [Float])]
    /// Named generator states: "default", "loader", and one per dropout layer ("dropout:dropout1").
    public var generators: [String: (UInt64, UInt64, UInt64, UInt64)]
    /// (epoch, test accuracy) so far, and the logged training losses (global step, loss).
    public var accuracyHistory: [(epoch: Int, accuracy: Double)]
    public var lossHistory: [(step: Int, loss: Double)]

    public init(
        modelName: String, epoch: Int, model: StateDict, optimizer: [(name: String, values: [Float])],
        generators: [String: (UInt64, UInt64, UInt64, UInt64)], accuracyHistory: [(epoch: Int, accuracy: Double)],
        lossHistory: [(step: Int, loss: Double)]
    ) {
        self.modelName = modelName
        self.epoch = epoch
        self.model = model
        self.optimizer = optimizer
        self.generators = generators
        self.accuracyHistory = accuracyHistory
        self.lossHistory = lossHistory
    }

    /// Writes the checkpoint as `epoch-N` in `directory` and points `latest` at it; keeps the
    /// previous checkpoint and removes older ones.
    public func save(in directory: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = "epoch-\(epoch)"
        let temporary = (directory as NSString).appendingPathComponent(".\(name).partial")
        let final = (directory as NSString).appendingPathComponent(name)
        try? manager.removeItem(atPath: temporary)
        try manager.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        try Safetensors.save(
            model, metadata: ["model": modelName, "epoch": "\(epoch)"],
            to: (temporary as NSString).appendingPathComponent("model.safetensors"))
        try Safetensors.save(
            StateDict(optimizer.map { ($0.name, Tensor($0.values)) }),
            to: (temporary as NSString).appendingPathComponent("optimizer.safetensors"))
        let state: [String: Any] = [
            "model": modelName,
            "epoch": epoch,
            "generators": generators.mapValues { [$0.0, $0.1, $0.2, $0.3].map { String($0) } },
            "accuracy_history": accuracyHistory.map { [Double($0.epoch), $0.accuracy] },
            "loss_history": lossHistory.map { [Double($0.step), $0.loss] },
        ]
        try JSONSerialization.data(withJSONObject: state, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: (temporary as NSString).appendingPathComponent("state.json")))
        try? manager.removeItem(atPath: final)
        try manager.moveItem(atPath: temporary, toPath: final)
        try Data(name.utf8).write(
            to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("latest")), options: .atomic)
        // Keep this checkpoint and the one before it.
        for entry in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where entry.hasPrefix("epoch-") {
            if let number = Int(entry.dropFirst("epoch-".count)), number < epoch - 1 {
                try? manager.removeItem(atPath: (directory as NSString).appendingPathComponent(entry))
            }
        }
    }

    /// The checkpoint `latest` names in `directory`, or nil when there is none yet.
    public static func loadLatest(from directory: String) throws -> Checkpoint? {
        let pointer = (directory as NSString).appendingPathComponent("latest")
        guard let data = FileManager.default.contents(atPath: pointer) else { return nil }
        let name = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let folder = (directory as NSString).appendingPathComponent(name)
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: folder, reason: reason) }
        let stateData = try FileManager.default.contents(
            atPath: (folder as NSString).appendingPathComponent("state.json")
        )
        .orThrow(fail("state.json is missing"))
        guard let state = try? JSONSerialization.jsonObject(with: stateData) as? [String: Any],
            let modelName = state["model"] as? String, let epoch = state["epoch"] as? Int,
            let rawGenerators = state["generators"] as? [String: [String]]
        else {
            throw fail("state.json is not a Kindling checkpoint state")
        }
        var generators: [String: (UInt64, UInt64, UInt64, UInt64)] = [:]
        for (key, words) in rawGenerators {
            let values = words.compactMap(UInt64.init)
            guard values.count == 4 else { throw fail("generator '\(key)' does not have 4 state words") }
            generators[key] = (values[0], values[1], values[2], values[3])
        }
        let pairs = { (key: String) -> [[Double]] in (state[key] as? [[Double]]) ?? [] }
        let model = try Safetensors.load(contentsOf: (folder as NSString).appendingPathComponent("model.safetensors"))
            .tensors
        let optimizer = try Safetensors.load(
            contentsOf: (folder as NSString).appendingPathComponent("optimizer.safetensors")
        ).tensors
        return Checkpoint(
            modelName: modelName, epoch: epoch, model: model,
            optimizer: optimizer.map { ($0.key, $0.tensor.data) }, generators: generators,
            accuracyHistory: pairs("accuracy_history").filter { $0.count == 2 }.map { (Int($0[0]), $0[1]) },
            lossHistory: pairs("loss_history").filter { $0.count == 2 }.map { (Int($0[0]), $0[1]) })
    }
}

/// A checkpoint that cannot be used, with its folder and the reason.
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> Error) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}
