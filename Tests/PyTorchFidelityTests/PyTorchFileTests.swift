import Autograd
import Datasets
import Foundation
import Metrics
import Models
import NeuralNetwork
import Testing
import Training

/// Files written by PyTorch's `torch.save`, read without Python and without running anything.
@Suite("PyTorch's own weight files (.pth)")
struct PyTorchFileTests {
    @Test(
        "float32, float64, float16, bfloat16, int64, int32 and bool tensors, transposed, sliced and empty, load exactly"
    )
    func dtypesStridesOffsets() throws {
        let state = try PyTorchFile.load(contentsOf: PyTorchFixtures.path("dtypes.pth"))
        let data = try Data(contentsOf: PyTorchFixtures.folder.appendingPathComponent("dtypes.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        let values = try #require(expected["values"] as? [String: [Double]])
        let shapes = try #require(expected["shapes"] as? [String: [Int]])
        #expect(Set(state.keys) == Set(values.keys))
        for (key, tensor) in state {
            #expect(tensor.shape == shapes[key], "\(key): shape \(tensor.shape), PyTorch \(shapes[key] ?? [])")
            #expect(
                tensor.data == values[key]?.map { Float($0) }, "\(key): \(tensor.data), PyTorch \(values[key] ?? [])")
        }
    }

    @Test("A pickle that would call os.system is refused with the callable's name, and nothing runs")
    func maliciousPickle() throws {
        let marker = "/tmp/kindling-pwned"
        try? FileManager.default.removeItem(atPath: marker)
        #expect {
            _ = try PyTorchFile.load(contentsOf: PyTorchFixtures.path("evil.pth"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("evil.pth") && text.contains("refused to load 'posix.system'")
                && text.contains("nothing was run")
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("A truncated or corrupt archive is refused naming the file and the reason")
    func truncatedArchive() throws {
        let bytes = [UInt8](try Data(contentsOf: PyTorchFixtures.folder.appendingPathComponent("dtypes.pth")))
        for cut in [10, bytes.count / 2, bytes.count - 30] {
            #expect(throws: SafetensorsError.self, "cut at \(cut)") {
                _ = try PyTorchFile.decode(Array(bytes[..<cut]), path: "cut.pth")
            }
        }
        var corrupt = bytes
        if let pickleStart = findSequence(Array("data.pkl".utf8), in: corrupt) {
            // Flip bytes inside the pickle's stored data: the reader refuses, never crashes.
            for offset in stride(from: pickleStart + 40, to: pickleStart + 120, by: 7) { corrupt[offset] ^= 0x5A }
        }
        do {
            _ = try PyTorchFile.decode(corrupt, path: "corrupt.pth")
        } catch {
            #expect("\(error)".hasPrefix("corrupt.pth: "))
        }
    }

    @Test("Weights of another model are refused with the missing, unexpected and mis-shaped keys")
    func wrongModel() throws {
        #expect {
            try MLP().load(from: PyTorchFixtures.path("convnet-trained.pth"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("not of this MLP") && text.contains("missing keys: hidden1.weight")
                && text.contains("unexpected keys: conv1.weight")
        }
    }

    @Test(
        "A convnet trained and saved by PyTorch scores on MNIST's first 1,000 test images exactly as in PyTorch",
        .enabled(if: mnistDirectory != nil, "needs the real MNIST (KINDLING_DATA or ../shared/data)"))
    func trainedConvnetScoresAsInPyTorch() throws {
        let model = MNISTConvNet()
        try model.load(from: PyTorchFixtures.path("convnet-trained.pth"))
        let test = try MNIST(split: .test, directory: try #require(mnistDirectory), download: false)
        // The whole test set is `mnist test --weights convnet-trained.pth` (release build); here the
        // first 1,000 images, which a debug build scores in seconds.
        let loader = DataLoader(test, batchSize: 1000, range: 0..<1000, normalize: Normalize(mean: [0.5], std: [0.5]))
        let score = evaluate(model, on: loader)
        let data = try Data(contentsOf: PyTorchFixtures.folder.appendingPathComponent("convnet-trained.json"))
        let recorded = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(score.correct == recorded["first1000_correct"] as? Int)
        #expect("Test set: \(score)" == recorded["first1000_line"] as? String)
    }
}

/// Where the real MNIST is: KINDLING_DATA, or ../shared/data beside the checkout.
let mnistDirectory: String? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let candidates: [String?] = [
        ProcessInfo.processInfo.environment["KINDLING_DATA"], root.appendingPathComponent("shared/data").path,
    ]
    return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: "\($0)/mnist") }
}()

func findSequence(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<$0 + needle.count]) == needle }
}
