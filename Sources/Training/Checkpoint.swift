import Autograd
import Files
import Foundation
import NeuralNetwork

/// Everything needed to continue a training run exactly where it stopped: the weights, the
/// optimiser's moments, the scheduler's epoch, and the state of every random generator (the
/// shuffling order, the dropout masks, the default generator).
///
/// A checkpoint is a folder `epoch-N` inside the checkpoint directory, written under a temporary
/// name, every file flushed to disk, then renamed into place and named in the file `latest` (also
/// replaced atomically): a crash or a power cut at any moment leaves the previous checkpoint intact
/// and `latest` pointing at a whole one.
///
///     DIR/latest                  "epoch-3"
///     DIR/epoch-3/model.safetensors
///     DIR/epoch-3/optimizer.safetensors
///     DIR/epoch-3/state.json      model name, epoch, generator states, loss history
///
/// The directory belongs to one run: only folders that hold exactly these three files (or a part
/// of them) are ever replaced or removed, one file at a time, never a folder of anything else.
/// Reading checks every value before it is used: `latest` must name an `epoch-N` folder of this
/// directory, the epoch and histories must be in range, and the files' sizes are limited.
///
/// ```swift
/// try Checkpoint(...).save(in: "runs/convnet")
/// let saved = try Checkpoint.loadLatest(from: "runs/convnet", maximumTensorBytes: 64 << 20)
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

    /// The most epochs a checkpoint may count.
    public static let maximumEpoch = 1_000_000
    /// The files of a checkpoint folder; a folder holding anything else is not one.
    static let fileNames: Set<String> = ["model.safetensors", "optimizer.safetensors", "state.json"]
    /// The largest `state.json` read: 2 MiB (about 60,000 logged losses, a hundred epochs of
    /// PyTorch's example logged every 10 batches six times over). Foundation's JSON reader needs
    /// about 70 bytes of memory per byte, so a larger file could not be read within 400 MB.
    static let maximumStateSize = 2 << 20

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
        try FileWriting.createFolder(directory)
        let name = Self.folderName(epoch)
        let temporary = path(directory, ".\(name).partial")
        let final = path(directory, name)
        // A partial folder left by a crash is this run's own, and so is an old epoch-N folder that
        // a resumed run writes again.
        try Self.removeCheckpointFolder(temporary)
        try FileWriting.createFolder(temporary)
        do {
            try writeFiles(into: temporary)
        } catch {
            // A full disk or a vanished folder: take the partial folder away again.
            try? Self.removeCheckpointFolder(temporary)
            throw error
        }
        FileWriting.syncFolder(temporary)
        try Self.removeCheckpointFolder(final)
        try FileWriting.moveIntoPlace(temporary, to: final, action: "write the checkpoint")
        try FileWriting.write(name + "\n", to: path(directory, "latest"))
        // Keep this checkpoint and the one before it.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            if let number = Self.epochNumber(entry), number < epoch - 1 {
                try? Self.removeCheckpointFolder(path(directory, entry))
            }
        }
    }

    /// Writes the three files of the checkpoint into `folder`.
    private func writeFiles(into temporary: String) throws {
        try Safetensors.save(
            model, metadata: ["model": modelName, "epoch": "\(epoch)"], to: path(temporary, "model.safetensors"))
        try Safetensors.save(
            StateDict(optimizer.map { ($0.name, Tensor($0.values)) }), to: path(temporary, "optimizer.safetensors"))
        let state: [String: Any] = [
            "model": modelName,
            "epoch": epoch,
            "generators": generators.mapValues { [$0.0, $0.1, $0.2, $0.3].map { String($0) } },
            "accuracy_history": accuracyHistory.map { [Double($0.epoch), $0.accuracy] },
            "loss_history": lossHistory.map { [Double($0.step), $0.loss] },
        ]
        let json = try JSONSerialization.data(withJSONObject: state, options: [.prettyPrinted, .sortedKeys])
        try FileWriting.write([UInt8](json), to: path(temporary, "state.json"))
    }

    /// The checkpoint `latest` names in `directory`, or nil when the directory has none (it does
    /// not exist, or holds no `latest` and no `epoch-N` folder).
    ///
    /// - Parameter maximumTensorBytes: the largest `model.safetensors` or `optimizer.safetensors`
    ///   read (the model's and optimiser's state need no more).
    public static func loadLatest(from directory: String, maximumTensorBytes: Int) throws -> Checkpoint? {
        func fail(_ path: String, _ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason) }
        let pointer = (directory as NSString).appendingPathComponent("latest")
        guard FileManager.default.fileExists(atPath: pointer) else {
            let folders = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
                epochNumber($0) != nil
            }
            guard folders.isEmpty else {
                throw fail(
                    directory,
                    "holds \(folders.sorted().joined(separator: ", ")) but no 'latest' file naming the one to resume; "
                        + "restore 'latest' (its text is the folder's name) or choose another --checkpoint directory")
            }
            return nil
        }
        let name = String(
            decoding: try FileReading.bytes(of: pointer, maximumSize: 64, what: "a 'latest' file"), as: UTF8.self
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
        // Only a folder of this directory: never "../elsewhere/epoch-1" or "/tmp/x".
        guard let folderEpoch = epochNumber(name) else {
            throw fail(pointer, "names '\(printable(name))', not an epoch-N folder of this directory")
        }
        let folder = (directory as NSString).appendingPathComponent(name)
        let stateBytes = try FileReading.bytes(
            of: (folder as NSString).appendingPathComponent("state.json"), maximumSize: maximumStateSize,
            what: "a checkpoint's state.json")
        let statePath = (folder as NSString).appendingPathComponent("state.json")
        let state = try decodeState(stateBytes, folderEpoch: folderEpoch, path: statePath)
        let model = try Safetensors.load(
            contentsOf: (folder as NSString).appendingPathComponent("model.safetensors"),
            maximumFileSize: maximumTensorBytes
        ).tensors
        let optimizer = try Safetensors.load(
            contentsOf: (folder as NSString).appendingPathComponent("optimizer.safetensors"),
            maximumFileSize: maximumTensorBytes
        ).tensors
        return Checkpoint(
            modelName: state.modelName, epoch: folderEpoch, model: model,
            optimizer: optimizer.map { ($0.key, $0.tensor.data) }, generators: state.generators,
            accuracyHistory: state.accuracyHistory, lossHistory: state.lossHistory)
    }

    /// What a checkpoint's `state.json` holds, every value checked: the model's name, the epoch
    /// (which must be the folder's), the generators' states and the two histories.
    public static func decodeState(_ bytes: [UInt8], folderEpoch: Int, path statePath: String) throws -> (
        modelName: String, generators: [String: (UInt64, UInt64, UInt64, UInt64)],
        accuracyHistory: [(epoch: Int, accuracy: Double)], lossHistory: [(step: Int, loss: Double)]
    ) {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: statePath, reason: reason) }
        guard let state = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let modelName = state["model"] as? String, let rawEpoch = state["epoch"] as? NSNumber,
            let rawGenerators = state["generators"] as? [String: [String]]
        else {
            throw fail("is not a Kindling checkpoint state (model, epoch and generators)")
        }
        let epochValue = rawEpoch.doubleValue
        guard epochValue == epochValue.rounded(), epochValue >= 0, epochValue <= Double(maximumEpoch),
            Int(epochValue) == folderEpoch
        else {
            throw fail("epoch \(rawEpoch) is not the folder's epoch \(folderEpoch) (0...\(maximumEpoch))")
        }
        var generators: [String: (UInt64, UInt64, UInt64, UInt64)] = [:]
        for (key, words) in rawGenerators {
            let values = words.compactMap(UInt64.init)
            guard values.count == 4, words.count == 4 else {
                throw fail("generator '\(printable(key))' does not have 4 state words")
            }
            // xoshiro256** never leaves the all-zero state: it would draw zeros forever.
            guard values.contains(where: { $0 != 0 }) else {
                throw fail("generator '\(printable(key))' has an all-zero state, which draws only zeros")
            }
            generators[key] = (values[0], values[1], values[2], values[3])
        }
        let accuracyHistory = try pairs(state["accuracy_history"], statePath: statePath).map { (Int($0.0), $0.1) }
        let lossHistory = try pairs(state["loss_history"], statePath: statePath).map { (Int($0.0), $0.1) }
        return (printable(modelName), generators, accuracyHistory, lossHistory)
    }

    /// A history of [count, value] pairs: the count a whole number in 0...2^31, the value finite.
    static func pairs(_ value: Any?, statePath: String) throws -> [(Double, Double)] {
        guard let value else { return [] }
        guard let list = value as? [[NSNumber]] else {
            throw CheckpointError(path: statePath, reason: "a history is not a list of [number, number] pairs")
        }
        return try list.map { pair in
            guard pair.count == 2 else {
                throw CheckpointError(path: statePath, reason: "a history entry has \(pair.count) numbers, not 2")
            }
            let (count, value) = (pair[0].doubleValue, pair[1].doubleValue)
            guard count == count.rounded(), count >= 0, count <= Double(Int32.max), value.isFinite else {
                throw CheckpointError(
                    path: statePath, reason: "a history entry [\(pair[0]), \(pair[1])] is out of range")
            }
            return (count, value)
        }
    }

    /// What stands in `directory`: nil when it is free for a new run (missing or empty of
    /// checkpoints), else a description of the checkpoints there ("checkpoints of convnet up to
    /// epoch 3").
    public static func existingCheckpoints(in directory: String) -> String? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let epochs = entries.compactMap(epochNumber)
        guard entries.contains("latest") || !epochs.isEmpty else { return nil }
        let model = (try? loadModelName(directory)) ?? nil
        return "checkpoints" + (model.map { " of \(printable($0))" } ?? "")
            + (epochs.max().map { " up to epoch \($0)" } ?? "")
    }

    /// The model name in the latest checkpoint's state, if it can be read.
    static func loadModelName(_ directory: String) throws -> String? {
        let pointer = (directory as NSString).appendingPathComponent("latest")
        let name = String(
            decoding: try FileReading.bytes(of: pointer, maximumSize: 64, what: "a 'latest' file"), as: UTF8.self
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
        guard epochNumber(name) != nil else { return nil }
        let bytes = try FileReading.bytes(
            of: ((directory as NSString).appendingPathComponent(name) as NSString).appendingPathComponent("state.json"),
            maximumSize: maximumStateSize, what: "a checkpoint's state.json")
        return (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?["model"] as? String
    }

    /// `epoch-N`.
    static func folderName(_ epoch: Int) -> String { "epoch-\(epoch)" }

    /// N for a name `epoch-N` (digits only, N <= maximumEpoch), else nil.
    public static func epochNumber(_ name: String) -> Int? {
        guard name.hasPrefix("epoch-") else { return nil }
        let digits = name.dropFirst("epoch-".count)
        guard !digits.isEmpty, digits.count <= 7, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let number = Int(digits), number <= maximumEpoch
        else { return nil }
        return number
    }

    /// Removes a checkpoint folder that this class wrote: only when it is a real folder (not a
    /// link) holding nothing but checkpoint files (or their partial writes). Anything else with
    /// that name is refused, never deleted.
    static func removeCheckpointFolder(_ folder: String) throws {
        var isDirectory: ObjCBool = false
        let attributes = try? FileManager.default.attributesOfItem(atPath: folder)
        guard attributes != nil else { return }
        guard attributes?[.type] as? FileAttributeType == .typeDirectory,
            FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw CheckpointError(path: folder, reason: "is in the way of a checkpoint and is not one; move it away")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let ours = entries.allSatisfy { entry in
            fileNames.contains(entry) || fileNames.contains { entry.hasPrefix(".\($0).partial-") }
        }
        guard ours else {
            throw CheckpointError(
                path: folder, reason: "holds files that are not a checkpoint's; it is left alone (move it away)")
        }
        for entry in entries { unlink((folder as NSString).appendingPathComponent(entry)) }
        guard rmdir(folder) == 0 else {
            throw FileError(path: folder, action: "remove the old checkpoint", reason: String(cString: strerror(errno)))
        }
    }

    private func path(_ folder: String, _ name: String) -> String {
        (folder as NSString).appendingPathComponent(name)
    }
}

/// A checkpoint that cannot be used, with its folder and the reason.
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(printable(path)): \(reason)" }
}
