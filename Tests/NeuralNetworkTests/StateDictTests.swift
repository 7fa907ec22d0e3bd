import Autograd
import Foundation
import MatrixMath
import NeuralNetwork
import Random
import TestSupport
import Testing

@Suite("State dicts and safetensors files", .isolatedRandomness)
struct StateDictTests {
    func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "kindling-\(UUID().uuidString)-\(name)"
    }

    @Test("stateDict and loadStateDict copy every parameter by name")
    func roundTrip() throws {
        manualSeed(1)
        let source = ThreeLayerNet()
        manualSeed(2)
        let target = ThreeLayerNet()
        #expect(source.hidden1.weight.data != target.hidden1.weight.data)
        try target.loadStateDict(source.stateDict())
        for ((_, a), (_, b)) in zip(source.namedParameters(), target.namedParameters()) { #expect(a.data == b.data) }
        #expect(source.stateDict().keys == source.namedParameters().map(\.name))
    }

    @Test("Missing, unexpected and mis-shaped keys are named, and the model is left unchanged")
    func mismatches() {
        let model = Linear(inputFeatures: 3, outputFeatures: 2)
        let before = model.weight.data
        var state = model.stateDict()
        state["bias"] = nil
        state["extra.weight"] = Tensor([1] as [Float])
        state["weight"] = Tensor.zeros([3, 2])
        #expect { try model.loadStateDict(state) } throws: { error in
            let text = "\(error)"
            return text.contains("missing keys: bias") && text.contains("unexpected keys: extra.weight")
                && text.contains("size mismatch for weight: the model has shape [2, 3], the state dict [3, 2]")
        }
        #expect(model.weight.data == before)
    }

    @Test("A safetensors file round-trips names, shapes, values and metadata; the header is 8-byte aligned")
    func safetensorsRoundTrip() throws {
        manualSeed(3)
        let model = ThreeLayerNet()
        let path = temporaryPath("mlp.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.save(model.stateDict(), metadata: ["epoch": "3"], to: path)
        let file = try Safetensors.load(contentsOf: path)
        #expect(file.metadata == ["epoch": "3"])
        #expect(file.tensors.keys == model.stateDict().keys)
        for (key, tensor) in file.tensors { #expect(tensor.data == model.stateDict()[key]!.data) }
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 4 * model.parameterCount)
    }

    @Test("The exact bytes of a one-tensor file follow the format")
    func exactBytes() throws {
        let bytes = try Safetensors.encode(StateDict([("w", Tensor([1, 2] as [Float]))]))
        let header = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        #expect(Array(bytes[0..<8]) == [UInt8(padded.utf8.count), 0, 0, 0, 0, 0, 0, 0])
        #expect(String(decoding: bytes[8..<8 + padded.utf8.count], as: UTF8.self) == padded)
        #expect(Array(bytes.suffix(8)) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40])  // 1.0 and 2.0, little-endian
    }

    /// A file with the given header text and data bytes.
    func file(_ header: String, data: [UInt8]) -> [UInt8] {
        let length = UInt64(header.utf8.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> UInt64(8 * $0)) } + Array(header.utf8) + data
    }

    @Test(
        "Hostile or broken files are refused with the reason: header past the end, bad JSON, wrong dtype, bad offsets, absurd sizes"
    )
    func malformedFiles() {
        func failure(_ bytes: [UInt8]) -> String {
            do {
                _ = try Safetensors.decode(bytes, path: "x.safetensors")
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(failure([1, 2, 3]).contains("too short"))
        #expect(failure([100, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)).contains("runs past the end"))
        #expect(failure([0, 0, 0, 0, 0, 0, 0, 0x10]).contains("exceeds"))  // a header of 2^60 bytes
        #expect(failure(file("{not json", data: [])).contains("not valid JSON"))
        #expect(
            failure(
                file(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
            ).contains("dtype C64"))
        #expect(
            failure(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])).contains(
                "needs 8 bytes"))
        #expect(failure(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [])).contains("outside"))
        #expect(
            failure(
                file(
                    #"{"a":{"dtype":"F32","shape":[1000000,1000000,1000000],"data_offsets":[0,4]}}"#,
                    data: [0, 0, 0, 0])
            ).contains("larger than the file"))
        #expect(
            failure(
                file(
                    #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                    data: [0, 0, 0, 0])
            ).contains("overlapping"))
        #expect(
            failure(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0, 9])).contains(
                "cover 4 of the 5"))
    }

    @Test("F16, BF16 and F64 tensors are converted to Float on load")
    func otherDtypes() throws {
        // F16 1.5 = 0x3E00, BF16 -2.0 = 0xC000, F64 0.25.
        let header =
            #"{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"d":{"dtype":"F64","shape":[1],"data_offsets":[4,12]}}"#
        let data: [UInt8] =
            [0x00, 0x3E, 0x00, 0xC0]
            + (0..<8).map { UInt8(truncatingIfNeeded: (0.25 as Double).bitPattern >> UInt64(8 * $0)) }
        let loaded = try Safetensors.decode(file(header, data: data), path: "t").tensors
        #expect(loaded["h"]?.data == [1.5] && loaded["b"]?.data == [-2] && loaded["d"]?.data == [0.25])
    }

    @Test("Loading a file for another model throws and leaves the model unchanged")
    func loadIntoWrongModel() throws {
        let path = temporaryPath("linear.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Linear(inputFeatures: 5, outputFeatures: 2).save(to: path)
        let model = Linear(inputFeatures: 3, outputFeatures: 2)
        let before = model.weight.data
        #expect {
            try model.load(from: path)
        } throws: { error in
            "\(error)".hasPrefix(path) && "\(error)".contains("not of this Linear")
                && "\(error)".contains("size mismatch for weight: the model has shape [2, 3], the state dict [2, 5]")
        }
        #expect(model.weight.data == before)
        #expect { try model.load(from: path + ".missing") } throws: { "\($0)".contains("file not found") }
    }
}

/// Runs `python3` with arguments; nil when it cannot run.
func runPython(_ arguments: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return nil }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

let pythonHasSafetensors: Bool = runPython(["-c", "import safetensors, numpy"])?.status == 0
let crosscheckScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Scripts/safetensors_crosscheck.py").path

@Suite(
    "Safetensors files agree with the Python safetensors package", .isolatedRandomness,
    .enabled(if: pythonHasSafetensors, "needs python3 with safetensors and numpy (pip install safetensors numpy)"))
struct SafetensorsCrossCheckTests {
    @Test("A state dict written here is read by safetensors.numpy with the same keys, shapes and values")
    func pythonReadsOurFile() throws {
        manualSeed(9)
        let model = ThreeLayerNet()
        let directory = NSTemporaryDirectory() + "kindling-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try model.save(to: directory + "/mlp.safetensors")
        var expected: [String: Any] = [:]
        for (name, parameter) in model.namedParameters() {
            expected[name] = ["shape": parameter.shape, "values": parameter.data.map(Double.init)]
        }
        try JSONSerialization.data(withJSONObject: expected).write(
            to: URL(fileURLWithPath: directory + "/expected.json"))
        let result = try #require(
            runPython([crosscheckScript, "read", directory + "/mlp.safetensors", directory + "/expected.json"]))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("read 6 tensors"))
    }

    @Test("A file written by safetensors.numpy loads here with its names, shapes, values and metadata")
    func weReadPythonFile() throws {
        let path = NSTemporaryDirectory() + "kindling-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try #require(runPython([crosscheckScript, "write", path]))
        #expect(result.status == 0, "\(result.output)")
        let file = try Safetensors.load(contentsOf: path)
        #expect(file.metadata["written_by"] == "safetensors_crosscheck.py")
        #expect(file.tensors["fc.weight"]?.shape == [2, 3])
        #expect(file.tensors["fc.weight"]?.data == [0.5, -1.25, 2.0, 3.0, 0.0, -0.125])
        #expect(file.tensors["fc.bias"]?.data == [0.25, -4.0])
        #expect(file.tensors["half"]?.data == [1.5, -2.0, 65504.0])
        #expect(file.tensors["double"]?.data == [Float(1.0 / 3.0)])
        let model = Linear(inputFeatures: 3, outputFeatures: 2)
        var state = file.tensors
        state["half"] = nil
        state["double"] = nil
        state = StateDict(state.entries.map { (String($0.key.dropFirst(3)), $0.tensor) })  // "fc.weight" -> "weight"
        try model.loadStateDict(state)
        // Row sums of the weight plus the bias: 0.5 - 1.25 + 2 + 0.25 and 3 - 0.125 - 4.
        let expected: [Float] = [1.5, -1.125]
        #expect(model(Tensor([[1, 1, 1]])).data == expected)
    }
}
