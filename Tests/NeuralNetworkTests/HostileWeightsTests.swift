import Autograd
import Foundation
import NeuralNetwork
import TestSupport
import Testing

/// Safetensors bytes with the given header JSON and `data` after it.
func safetensorsFile(header: String, data: [UInt8] = []) -> [UInt8] {
    var json = Array(header.utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    let length = UInt64(json.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + json + data
}

@Suite("Hostile weight files are refused before they cost memory", .isolatedRandomness)
struct HostileWeightsTests {
    func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "kindling-\(UUID().uuidString)-\(name)"
    }

    @Test("A header over 16 MiB is refused; 100,000 zero-size tensors within it load")
    func manyTinyTensors() throws {
        var entries = (0..<100_000).map { "\"t\($0)\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}" }
        let file = try Safetensors.decode(
            safetensorsFile(header: "{" + entries.joined(separator: ",") + "}"), path: "many")
        #expect(file.tensors.count == 100_000)
        #expect(file.tensors["t5"]?.shape == [0])
        entries = (0..<400_000).map { "\"t\($0)\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}" }
        #expect {
            _ = try Safetensors.decode(
                safetensorsFile(header: "{" + entries.joined(separator: ",") + "}"), path: "huge")
        } throws: { error in
            "\(error)".contains("exceeds the 16777216-byte limit")
        }
    }

    @Test("A 2 GB sparse file given as a model's weights is refused from its size")
    func sparseWeights() throws {
        let path = temporaryPath("sparse.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 2_000_000_000) == 0)
        let model = Linear(inputFeatures: 3, outputFeatures: 2)
        #expect {
            try model.load(from: path)
        } throws: { error in
            "\(error)".hasPrefix(
                "\(path): cannot read: it is 2000000000 bytes; a weights file for this Linear is at most")
        }
    }

    @Test("NaN weights, and weights of another model, are refused naming the file and what its metadata says")
    func wrongOrBrokenWeights() throws {
        let path = temporaryPath("weights.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = Linear(inputFeatures: 3, outputFeatures: 2)
        var state = model.stateDict()
        state["weight"] = Tensor(shape: [2, 3], data: [1, 2, .nan, 4, 5, 6])
        try Safetensors.save(state, to: path)
        #expect {
            try model.load(from: path)
        } throws: { error in
            "\(error)".contains("NaN or infinite values in weight")
        }
        try Linear(inputFeatures: 5, outputFeatures: 2).save(to: path, metadata: ["model": "mlp"])
        #expect {
            try model.load(from: path)
        } throws: { error in
            "\(error)".hasPrefix("\(path): holds weights of 'mlp' (its metadata), not of this Linear")
        }
    }

    @Test("Names and dtypes from a file reach a message escaped, never as terminal control codes")
    func escapedNames() {
        let header = "{\"fc\\u001b[2J\":{\"dtype\":\"X\\u001b]0;\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        #expect {
            _ = try Safetensors.decode(safetensorsFile(header: header, data: [0, 0, 0, 0]), path: "evil")
        } throws: { error in
            let text = "\(error)"
            return !text.contains("\u{1B}") && text.contains("fc\\u{1B}[2J") && text.contains("X\\u{1B}]0;")
        }
    }

    @Test("Malformed JSON headers are refused with a reason, never a crash")
    func malformedHeaders() {
        for header in [
            "{", "{\"a\":", "{\"a\":{\"dtype\":\"F32\"}}", "[1]", "{\"a\":{\"shape\":[1e400]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999],\"data_offsets\":[0,4]}}",
            "{\"a\":1,\"a\":2}", "{\"__metadata__\":{\"k\":1}}", "{} trailing",
        ] {
            #expect(throws: SafetensorsError.self, "\(header)") {
                _ = try Safetensors.decode(safetensorsFile(header: header, data: [0, 0, 0, 0]), path: "bad")
            }
        }
    }
}

@Suite("Safetensors files of every dtype PyTorch writes")
struct SafetensorsDtypeTests {
    @Test(
        "Integer and bool tensors (BatchNorm's num_batches_tracked, masks) load as their values instead of refusing the file"
    )
    func integerAndBool() throws {
        let data: [UInt8] = [210, 4, 0, 0, 0, 0, 0, 0] + [0xF9, 0xFF, 0xFF, 0xFF] + [1, 0, 1]
        let header = """
            {"num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},\
            "offsets":{"dtype":"I32","shape":[1],"data_offsets":[8,12]},\
            "mask":{"dtype":"BOOL","shape":[3],"data_offsets":[12,15]}}
            """
        let file = try Safetensors.decode(safetensorsFile(header: header, data: data), path: "dtypes")
        #expect(file.tensors["num_batches_tracked"]?.data == [1234])
        #expect(file.tensors["offsets"]?.data == [-7])
        #expect(file.tensors["mask"]?.data == [1, 0, 1])
    }
}

@Suite("The restricted unpickler refuses what no state dict needs")
struct RestrictedUnpicklerTests {
    func refusal(_ bytes: [UInt8]) -> String {
        var unpickler = RestrictedUnpickler(bytes)
        do {
            _ = try unpickler.load()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("Containers nested millions deep are refused at 64 levels, before freeing them could overflow the stack")
    func deepNesting() {
        #expect(
            refusal([0x80, 2, 0x5D] + [UInt8](repeating: 0x85, count: 1_000_000) + [0x2E]).contains(
                "nested more than 64 deep"))
    }

    @Test("A flood of memo entries or stack values is refused")
    func floods() {
        #expect(
            refusal([0x80, 2, 0x5D] + [UInt8](repeating: 0x94, count: 2_000_000) + [0x2E]).contains("memo entries"))
        #expect(refusal([0x80, 2] + [UInt8](repeating: 0x4E, count: 2_000_000) + [0x2E]).contains("values"))
    }

    @Test("A tensor whose offset plus strides overflow, or whose sizes multiply past 2^31, is refused")
    func overflowingTensor() {
        func long(_ value: Int) -> [UInt8] { [0x8A, 8] + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        func text(_ value: String) -> [UInt8] { [0x8C, UInt8(value.utf8.count)] + Array(value.utf8) }
        func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
        func tensor(offset: Int, shape: [Int], strides: [Int], count: Int) -> [UInt8] {
            let id =
                [0x28] + text("storage") + global("torch", "FloatStorage") + text("0") + text("cpu") + long(count) + [
                    0x74, 0x51,
                ]
            let arguments: [UInt8] =
                [0x28] + id + long(offset) + [0x28] + shape.flatMap(long) + [0x74] + [0x28] + strides.flatMap(long)
                + [0x74, 0x89, 0x74]
            return [0x80, 2] + global("torch._utils", "_rebuild_tensor_v2") + arguments + [0x52, 0x2E]
        }
        #expect(
            refusal(tensor(offset: 1 << 62, shape: [3], strides: [1 << 61], count: Int.max)).contains(
                "reaches past its storage"))
        #expect(
            refusal(tensor(offset: 0, shape: [1 << 40, 1 << 40, 0], strides: [0, 0, 0], count: 1)).contains(
                "more values"))
        #expect(refusal(tensor(offset: 0, shape: [2, 3], strides: [3, 1], count: 6)) == "no error")
    }
}
