import Autograd
import Convolution
import Foundation
import Models
import NeuralNetwork
import TestSupport
import Testing

/// Layers and losses with non-trivial options against PyTorch: outputs and input/weight gradients
/// of sum(output * upstream) for a recorded upstream gradient. Tolerance 1e-5 relative to each
/// tensor's largest magnitude.
@Suite("Layers and losses compute PyTorch's numbers")
struct LayerFidelityTests {
    let file: Safetensors.File

    init() throws {
        file = try PyTorchFixtures.load("layers.safetensors")
    }

    func fixture(_ key: String, requiresGrad: Bool = false) throws -> Tensor {
        let tensor = try #require(file.tensors[key], "\(key) is not in layers.safetensors")
        return Tensor(shape: tensor.shape, data: tensor.data, requiresGrad: requiresGrad)
    }

    /// Runs `y = f(inputs)`, backpropagates `upstream`, and checks y and every input's gradient.
    func check(_ name: String, inputs: [String], _ function: ([Tensor]) -> Tensor) throws {
        let tensors = try inputs.map { try fixture("\(name).\($0)", requiresGrad: true) }
        let output = function(tensors)
        PyTorchFixtures.expectMatches(output, "\(name).output", in: file, tolerance: 1e-5)
        if let upstream = file.tensors["\(name).upstream"] {
            (output * Tensor(shape: upstream.shape, data: upstream.data)).sum().backward()
        } else {
            output.backward()
        }
        for (input, tensor) in zip(inputs, tensors) {
            let key = "\(name).grad_\(input)"
            PyTorchFixtures.expectMatches(
                try #require(tensor.grad, "\(key): no gradient"), key, in: file, tolerance: 1e-5)
        }
    }

    @Test(
        "Conv2d: rectangular kernel with stride (2, 1) and padding (1, 0); padding 1; stride 2 with padding 2; no bias",
        arguments: [
            ("conv-rect-stride", (2, 1), (1, 0)), ("conv-pad", (1, 1), (1, 1)), ("conv-big-stride", (2, 2), (2, 2)),
            ("conv-no-bias", (1, 1), (0, 0)),
        ])
    func convolution(_ name: String, stride: (Int, Int), padding: (Int, Int)) throws {
        let hasBias = file.tensors["\(name).bias"] != nil
        try check(name, inputs: hasBias ? ["input", "weight", "bias"] : ["input", "weight"]) { t in
            conv2d(t[0], weight: t[1], bias: hasBias ? t[2] : nil, stride: stride, padding: padding)
        }
    }

    @Test(
        "Max and average pooling: 2x2 stride 2, overlapping 3x3 stride 2, rectangular 2x3 stride (1, 2)",
        arguments: [
            ("maxpool-2", (2, 2), (2, 2)), ("maxpool-overlap", (3, 3), (2, 2)), ("maxpool-rect", (2, 3), (1, 2)),
            ("avgpool-2", (2, 2), (2, 2)), ("avgpool-overlap", (3, 3), (2, 2)),
        ])
    func pooling(_ name: String, kernel: (Int, Int), stride: (Int, Int)) throws {
        try check(name, inputs: ["input"]) { t in
            name.hasPrefix("max")
                ? maxPool2d(t[0], kernelSize: kernel, stride: stride)
                : avgPool2d(t[0], kernelSize: kernel, stride: stride)
        }
    }

    @Test(
        "Cross-entropy and NLL, with mean and sum reductions",
        arguments: ["cross_entropy-mean", "cross_entropy-sum", "nll-mean", "nll-sum"])
    func losses(_ name: String) throws {
        let labels = try fixture("\(name).labels").data.map { Int($0) }
        let reduction: Reduction = name.hasSuffix("sum") ? .sum : .mean
        try check(name, inputs: ["input"]) { t in
            name.hasPrefix("nll")
                ? nllLoss(t[0].logSoftmax(dim: 1), labels: labels, reduction: reduction)
                : crossEntropy(t[0], labels: labels, reduction: reduction)
        }
    }

    @Test("Dropout in evaluation mode passes values and gradients through unchanged")
    func dropoutEval() throws {
        let dropout = Dropout(p: 0.5)
        dropout.eval()
        try check("dropout-eval", inputs: ["input"]) { t in dropout(t[0]) }
    }

    @Test("Linear on a [2, 5, 4] input: output and input and weight gradients")
    func linearOnThreeDimensions() throws {
        try check("linear-3d", inputs: ["input", "weight", "bias"]) { t in t[0].linear(weight: t[1], bias: t[2]) }
    }
}

/// The graph autograd records is PyTorch's, node by node: the names, the order of each node's
/// inputs, and the index `next_functions` gives.
@Suite("Autograd records PyTorch's graph")
struct GraphFidelityTests {
    /// A node as the fixture writes it: [name, [[child, index], ...]], nil for a constant.
    static func describe(_ node: GradFn?) -> Any {
        guard let node else { return NSNull() }
        return [node.name, node.nextFunctions.map { [describe($0.function), $0.index] as [Any] }] as [Any]
    }

    static func recorded(_ name: String) throws -> Any {
        let data = try Data(contentsOf: PyTorchFixtures.folder.appendingPathComponent("graphs.json"))
        let graphs = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(graphs[name], "no graph '\(name)' in graphs.json")
    }

    /// The first place two descriptions differ, or nil.
    static func difference(_ ours: Any, _ theirs: Any, path: String = "loss") -> String? {
        if ours is NSNull || theirs is NSNull {
            return (ours is NSNull) == (theirs is NSNull) ? nil : "\(path): \(ours) here, \(theirs) in PyTorch"
        }
        guard let a = ours as? [Any], let b = theirs as? [Any], a.count == 2, b.count == 2,
            let nameA = a[0] as? String, let nameB = b[0] as? String, let childrenA = a[1] as? [[Any]],
            let childrenB = b[1] as? [[Any]]
        else { return "\(path): malformed description" }
        guard nameA == nameB else { return "\(path): \(nameA) here, \(nameB) in PyTorch" }
        guard childrenA.count == childrenB.count else {
            return "\(path) (\(nameA)): \(childrenA.count) next functions here, \(childrenB.count) in PyTorch"
        }
        for (index, (childA, childB)) in zip(childrenA, childrenB).enumerated() {
            if (childA[1] as? Int) != (childB[1] as? Int) {
                return "\(path).next[\(index)]: index \(childA[1]) here, \(childB[1]) in PyTorch"
            }
            if let found = difference(childA[0], childB[0], path: "\(path) (\(nameA)).next[\(index)]") { return found }
        }
        return nil
    }

    @Test(
        "The losses of linear, mlp, convnet and pytorch-example (in training, with dropout) record PyTorch's graph",
        arguments: ["linear", "mlp", "convnet", "pytorch-example"])
    func modelGraph(_ name: String) throws {
        let model: Module =
            switch name {
            case "linear": SoftmaxClassifier()
            case "mlp": MLP()
            case "convnet": MNISTConvNet()
            default: PyTorchExampleNet()
            }
        model.train()
        let x = Tensor(shape: [8, 1, 28, 28], data: PyTorchFixtures.formula(count: 8 * 784, salt: 1000, bound: 1))
        let labels = (0..<8).map { $0 % 10 }
        let output = model(x)
        let loss =
            name == "convnet" || name == "pytorch-example"
            ? nllLoss(output, labels: labels) : crossEntropy(output, labels: labels)
        let found = Self.difference(Self.describe(loss.gradFn), try Self.recorded(name))
        #expect(found == nil, "\(found ?? "")")
    }

    @Test("mean(dim:) of a scaled tensor records MeanBackward1 over MulBackward0 (the scalar a constant input)")
    func meanDimGraph() throws {
        let w = Tensor(shape: [4, 3], data: [Float](repeating: 1, count: 12), requiresGrad: true)
        let found = Self.difference(Self.describe((w * 2).mean(dim: 1).gradFn), try Self.recorded("mean-dim"))
        #expect(found == nil, "\(found ?? "")")
    }
}
