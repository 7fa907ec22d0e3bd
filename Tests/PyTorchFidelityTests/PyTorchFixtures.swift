import Autograd
import Foundation
import NeuralNetwork
import Testing

/// The fixtures `Scripts/pytorch_fixtures.py` recorded from PyTorch, beside this file.
enum PyTorchFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func load(_ name: String) throws -> Safetensors.File {
        try Safetensors.load(contentsOf: path(name))
    }

    /// The formula the script initialises every parameter with, bit for bit: an integer hash of
    /// (index, salt) mod 2001, minus 1000, over 1000, times `bound`, in Float.
    static func formula(count: Int, salt: Int, bound: Float) -> [Float] {
        (0..<count).map { index in
            var h = (UInt64(index) &* 2_654_435_761 &+ UInt64(salt) &* 40503) & 0xFFFF_FFFF
            h ^= h >> 13
            h = (h &* 2_246_822_519) & 0xFFFF_FFFF
            h ^= h >> 16
            let k = Int64(h % 2001) - 1000
            return (Float(k) / 1000) * bound
        }
    }

    /// Sets every parameter of `model` as the script does: salt = its index in
    /// `namedParameters()` (PyTorch's `named_parameters()` order), bound = 1/sqrt(fan-in of the
    /// layer it belongs to).
    static func initialise(_ model: Module) {
        let named = model.namedParameters()
        let shapes = Dictionary(uniqueKeysWithValues: named.map { ($0.name, $0.parameter.shape) })
        for (salt, (name, parameter)) in named.enumerated() {
            let owner = name.split(separator: ".").dropLast().joined(separator: ".")
            let weightShape = shapes[owner.isEmpty ? "weight" : owner + ".weight"] ?? parameter.shape
            let fanIn = weightShape.dropFirst().reduce(1, *)
            let bound = 1 / Float(fanIn).squareRoot()
            parameter.data = formula(count: parameter.count, salt: salt, bound: bound)
        }
    }

    /// Compares `actual` with the fixture's `key`, recorded whole or at sampled positions
    /// (`key@values` and `key@indices`); a failure names the tensor, the worst entry, expected and
    /// actual. Entries agree within `tolerance` relative to the largest expected magnitude.
    static func expectMatches(
        _ actual: Tensor, _ key: String, in file: Safetensors.File, tolerance: Float,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        if let whole = file.tensors[key] {
            #expect(
                actual.count == whole.count, "\(key): \(actual.count) values, PyTorch has \(whole.count)",
                sourceLocation: sourceLocation)
            report(actual.data, whole.data, positions: Array(0..<whole.count), key, tolerance, sourceLocation)
        } else if let values = file.tensors[key + "@values"], let indices = file.tensors[key + "@indices"] {
            let positions = indices.data.map { Int($0) }
            guard positions.allSatisfy({ $0 < actual.count }) else {
                Issue.record("\(key): sampled positions beyond \(actual.count) values", sourceLocation: sourceLocation)
                return
            }
            report(positions.map { actual.data[$0] }, values.data, positions: positions, key, tolerance, sourceLocation)
        } else {
            Issue.record("\(key): not in the fixture", sourceLocation: sourceLocation)
        }
    }

    private static func report(
        _ actual: [Float], _ expected: [Float], positions: [Int], _ key: String, _ tolerance: Float,
        _ sourceLocation: SourceLocation
    ) {
        guard actual.count == expected.count else { return }
        let scale = Swift.max(expected.map { Swift.abs($0) }.max() ?? 0, 1e-6)
        var worst = 0
        var worstError: Float = -1
        for index in expected.indices {
            let error = Swift.abs(actual[index] - expected[index])
            let effective = error.isNaN ? Float.infinity : error
            if effective > worstError { (worst, worstError) = (index, effective) }
        }
        #expect(
            worstError <= tolerance * scale,
            "\(key): worst entry \(positions.isEmpty ? 0 : positions[worst]) expected \(expected.isEmpty ? 0 : expected[worst]), actual \(actual.isEmpty ? 0 : actual[worst]) (relative error \(worstError / scale), allowed \(tolerance))",
            sourceLocation: sourceLocation)
    }
}
