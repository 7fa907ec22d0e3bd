// Fuzz target: the checkpoint reader (Sources/Training/Checkpoint.swift): a `latest` file's
// folder name and a `state.json`, the two things in a checkpoint that are not safetensors (which
// fuzz-safetensors covers).
import Foundation
import FuzzHarness
import Training

/// The first byte splits the input: that many bytes are the `latest` text, the rest is state.json.
func target(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let split = Swift.min(Int(first), bytes.count - 1)
    let latest = String(decoding: bytes[1..<1 + split], as: UTF8.self)
    if let epoch = Checkpoint.epochNumber(latest) {
        precondition(epoch >= 0 && epoch <= Checkpoint.maximumEpoch, "an epoch out of range was accepted")
        precondition(!latest.contains("/"), "a path was accepted as a folder name")
    }
    let state = Array(bytes[(1 + split)...])
    if let decoded = try? Checkpoint.decodeState(state, folderEpoch: 3, path: "fuzz/state.json") {
        precondition(
            decoded.lossHistory.allSatisfy { $0.step >= 0 && $0.loss.isFinite }, "a bad loss entry was accepted")
        precondition(decoded.accuracyHistory.allSatisfy { $0.epoch >= 0 }, "a bad accuracy entry was accepted")
    }
}

func seeds() -> [[UInt8]] {
    let state = """
        {"accuracy_history":[[1,0.9],[2,0.95]],"epoch":3,"generators":{"default":["1","2","3","4"],\
        "loader":["5","6","7","8"]},"loss_history":[[10,2.3],[20,0.5]],"model":"convnet"}
        """
    return [
        [7] + Array("epoch-3".utf8) + Array(state.utf8),
        [17] + Array("../victim/epoch-1".utf8) + Array(state.replacingOccurrences(of: "3,", with: "1e300,").utf8),
        [0] + Array("{\"epoch\":9223372036854775807}".utf8),
    ]
}

@_cdecl("fuzz_checkpoint_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-checkpoint", seeds: seeds, target: target)
}
