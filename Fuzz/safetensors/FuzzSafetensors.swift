// Fuzz target: the safetensors reader (Sources/NeuralNetwork/Safetensors.swift), and loading the
// result into a model (which must refuse what does not fit and leave the model unchanged).
import Autograd
import FuzzHarness
import NeuralNetwork

func target(_ bytes: [UInt8]) {
    guard let file = try? Safetensors.decode(bytes, path: "fuzz.safetensors") else { return }
    let model = Linear(inputFeatures: 3, outputFeatures: 2)
    let before = model.weight.data
    do {
        try model.loadStateDict(file.tensors)
    } catch {
        precondition(model.weight.data == before, "a refused state dict changed the model")
    }
}

func seeds() -> [[UInt8]] {
    let state = Linear(inputFeatures: 3, outputFeatures: 2).stateDict()
    var result = [
        (try? Safetensors.encode(state)) ?? [], (try? Safetensors.encode(state, metadata: ["epoch": "3"])) ?? [],
    ]
    let header =
        #"{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[2,6]}}"#
    result.append([UInt8(header.utf8.count), 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8) + [0, 0x3E, 0, 0xC0, 0, 0x40])
    return result
}

@_cdecl("fuzz_safetensors_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-safetensors", seeds: seeds, target: target)
}
