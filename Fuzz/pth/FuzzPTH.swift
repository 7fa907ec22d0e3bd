// Fuzz target: PyTorch's torch.save files (Sources/NeuralNetwork/PyTorchFile.swift): the zip
// reader, the restricted unpickler and the tensor rebuilding, on mutations of real PyTorch files.
import Autograd
import Foundation
import FuzzHarness
import NeuralNetwork

func target(_ bytes: [UInt8]) {
    guard let state = try? PyTorchFile.decode(bytes, path: "fuzz.pth") else { return }
    for (_, tensor) in state {
        precondition(tensor.data.count == tensor.shape.reduce(1, *), "a tensor whose values do not fill its shape")
    }
}

/// The PyTorch files recorded for the tests: dtypes and strides, a trained convnet, a malicious
/// pickle.
func seeds() -> [[UInt8]] {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/PyTorchFidelityTests/Fixtures")
    return ["dtypes.pth", "evil.pth"].compactMap { name in
        (try? Data(contentsOf: fixtures.appendingPathComponent(name))).map { [UInt8]($0) }
    }
}

@_cdecl("fuzz_pth_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-pth", seeds: seeds, target: target)
}
