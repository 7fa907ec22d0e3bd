import Autograd
import Foundation
import Testing

@Suite("Autograd: accumulation, graph, printing, no-grad")
struct AutogradBehaviourTests {
    @Test("d(sum w^2)/dw = 2w")
    func knownGradient() {
        let w = Tensor([[1, 2], [3, 4]], requiresGrad: true)
        (w * w).sum().backward()
        #expect(w.grad?.data == [2, 4, 6, 8])
    }

    @Test("Gradients accumulate across two backward() calls; zeroGrad clears them")
    func accumulation() {
        let x = Tensor([1, 2, 3] as [Float], requiresGrad: true)
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        #expect(x.grad?.data == [6, 6, 6])
        x.zeroGrad()
        #expect(x.grad == nil)
        (x * 3).sum().backward()
        #expect(x.grad?.data == [3, 3, 3])
    }

    @Test("A tensor used twice receives the sum of both gradients: d(x*x + x)/dx = 2x + 1")
    func usedTwice() {
        let x = Tensor([1, -2] as [Float], requiresGrad: true)
        let y = x * 2
        (y * y + y).sum().backward()  // d/dx of (4x^2 + 2x) = 8x + 2
        #expect(x.grad?.data == [10, -14])
    }

    @Test("Elementwise backward (ReLU, x * 2) overwrites its gradient only when nobody else holds it")
    func inPlaceBackwardLeavesSharedGradientsAlone() {
        let x = Tensor([1, -2, 3, -4] as [Float], requiresGrad: true)
        let y = x.relu()
        // A caller's gradient through apply: the caller's array stays as it was.
        let given: [Float] = [10, 20, 30, 40]
        let sent = y.gradFn?.apply(given)
        #expect(given == [10, 20, 30, 40])
        #expect(sent?.first??.compactMap { $0 } == [10, 0, 30, 0])
        // The other elementwise operations scale their gradient in place the same way.
        let doubledBack = (x * 2).gradFn?.apply(given).first ?? nil
        #expect(given == [10, 20, 30, 40])
        #expect(doubledBack == [20, 40, 60, 80])
        // A trace keeps what each node received: the relu masking it must work on a copy
        // (z's relu sees y + y = [2, 0, 6, 0] and zeroes two entries of its gradient).
        let z = (y + y).relu()
        var received: [(name: String, gradient: [Float])] = []
        z.backward(
            Tensor([1, 1, 1, 1] as [Float]), trace: { step in received.append((step.node.name, step.received)) })
        #expect(received.map(\.name) == ["ReluBackward0", "AddBackward0", "ReluBackward0"])
        #expect(received.map(\.gradient) == [[1, 1, 1, 1], [1, 0, 1, 0], [2, 0, 2, 0]])
        #expect(x.grad?.data == [2, 0, 2, 0])
        // The same graph without a trace gives the same gradient.
        x.zeroGrad()
        (x.relu() + x.relu()).relu().backward(Tensor([1, 1, 1, 1] as [Float]))
        #expect(x.grad?.data == [2, 0, 2, 0])
    }

    @Test(
        "linear records W.t() (TBackward0) whose values read as W transposed, made from W when first read, as PyTorch's view"
    )
    func linearRecordsTransposedWeightView() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]], requiresGrad: true)
        let w = Tensor([[1, 0, -1], [2, 1, 0]], requiresGrad: true)  // [out 2, in 3]
        let b = Tensor([0.5, -0.5], requiresGrad: true)
        let y = x.linear(weight: w, bias: b)
        #expect(y.data == [-1.5, 3.5, -1.5, 12.5])
        #expect(y.gradFn?.name == "AddmmBackward0")
        let transposed = y.gradFn!.inputs[2]
        #expect(transposed.gradFn?.name == "TBackward0" && transposed.shape == [3, 2] && transposed.count == 6)
        // Not read yet: a change to W shows through, as through PyTorch's view W.t().
        w.data[0] = 7
        #expect(transposed.data == [7, 2, 0, 1, -1, 0])
        // The product and its backward pass use W as it was in the forward pass.
        y.sum().backward()
        #expect(x.grad?.data == [3, 1, -1, 3, 1, -1])
        #expect(w.grad?.data == [5, 7, 9, 5, 7, 9])
        #expect(b.grad?.data == [2, 2])
        let noBias = x.linear(weight: w, bias: nil)
        #expect(noBias.gradFn?.name == "MmBackward0" && noBias.data == [4, 4, 22, 13])
    }

    @Test("backward with an explicit gradient for a non-scalar output")
    func explicitGradient() {
        let x = Tensor([1, 2] as [Float], requiresGrad: true)
        (x * x).backward(Tensor([1, 10] as [Float]))
        #expect(x.grad?.data == [2, 40])
    }

    @Test("Inputs without requiresGrad get no gradient and need none")
    func constants() {
        let x = Tensor([1, 2] as [Float], requiresGrad: true), c = Tensor([5, 6] as [Float])
        (x * c).sum().backward()
        #expect(x.grad?.data == [5, 6])
        #expect(c.grad == nil)
        #expect(!(c * c).requiresGrad)
    }

    @Test("Inside withNoGrad no graph is recorded")
    func noGrad() {
        let x = Tensor([1, 2] as [Float], requiresGrad: true)
        let y = withNoGrad { x * 2 }
        #expect(!y.requiresGrad && y.gradFn == nil)
        #expect((x * 2).gradFn != nil)
    }

    @Test("The graph can be walked from loss.gradFn through nextFunctions, with PyTorch's names")
    func graphWalk() {
        let w = Tensor([[0.1, 0.2], [0.3, 0.4]], requiresGrad: true)
        let x = Tensor([[1, 2]])
        let loss = x.matmul(w).logSoftmax(dim: 1).gather(labels: [1]).mean()
        #expect(loss.gradFn?.name == "MeanBackward0")
        let gather = loss.gradFn?.nextFunctions.first?.function?.name
        #expect(gather == "IndexBackward0")
        let mm = loss.gradFn!.nextFunctions[0].function!.nextFunctions[0].function!.nextFunctions[0].function!
        #expect(mm.name == "MmBackward0")
        #expect(mm.nextFunctions.map { $0.function?.name } == [nil, "AccumulateGrad"])  // x is a constant, w a leaf
        #expect(mm.nextFunctions.map(\.index) == [0, 0])
        #expect(mm.nextFunctions[1].function?.variable === w)
    }

    @Test("Printing looks like PyTorch: values with 4 decimals, requiresGrad or gradFn")
    func printing() {
        #expect(
            Tensor([[1, -0.5], [2, 3]], requiresGrad: true).description
                == "tensor([[ 1.0000, -0.5000],\n        [ 2.0000,  3.0000]], requiresGrad: true)")
        let x = Tensor([1, 2] as [Float], requiresGrad: true)
        #expect(x.sum().description == "tensor(3.0000, gradFn: <SumBackward0>)")
        let long = Tensor((0..<10).map(Float.init))
        #expect(long.description == "tensor([0.0000, 1.0000, 2.0000, ..., 7.0000, 8.0000, 9.0000])")
    }

    @Test("Known forward values: softmax, logSoftmax, max, sum along dims")
    func forwardValues() {
        let x = Tensor([[1, 2, 3], [1, 1, 1]])
        let p = x.softmax(dim: 1).data
        #expect(
            zip(p, [0.090_030_57, 0.244_728_47, 0.665_240_96, 1.0 / 3, 1.0 / 3, 1.0 / 3]).allSatisfy {
                abs($0 - Float($1)) < 1e-6
            })
        #expect(abs(x.logSoftmax(dim: 1)[1, 0] - (-1.098_612_3)) < 1e-6)
        #expect(x.max(dim: 1).values.data == [3, 1])
        #expect(x.max(dim: 1).indices == [2, 0])  // ties: the first
        #expect(x.sum(dim: 0).data == [2, 3, 4])
        #expect(x.sum(dim: 1, keepDim: true).shape == [2, 1])
        #expect((x + Tensor([10, 20, 30] as [Float])).data == [11, 22, 33, 11, 21, 31])
    }
}

/// Misuse stops the program with a message that says what was wrong.
@Suite("Autograd errors name shapes and operations")
struct AutogradErrorTests {
    @Test("Adding [2, 3] and [4] stops naming both shapes")
    func broadcastError() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("add: shapes [2, 3] and [4] cannot be broadcast"))
    }

    @Test("matmul of [2, 3] by [2, 3] stops naming both shapes")
    func matmulError() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([2, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("matmul: inner dimensions differ: [2, 3] x [2, 3]"))
    }

    @Test("backward() on a non-scalar without a gradient says a scalar is needed")
    func nonScalarBackward() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor([1, 2] as [Float], requiresGrad: true)
            (x * 2).backward()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("only for a scalar output; this tensor has shape [2]"))
    }

    @Test("backward() on a tensor that does not require a gradient says so")
    func noGradBackward() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor([1, 2] as [Float]).sum().backward()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("does not require a gradient"))
    }
}

@Suite("Graph export")
struct GraphExportTests {
    @Test("The DOT export names every operation and leaf and draws an arrow per input")
    func dot() {
        let w = Tensor([[1, 2], [3, 4]], requiresGrad: true)
        let x = Tensor([[1, 1]])
        let loss = x.matmul(w).relu().sum()
        let dot = loss.graphviz(names: ["weight": w])
        #expect(dot.hasPrefix("digraph autograd {") && dot.hasSuffix("}\n"))
        for label in ["SumBackward0", "ReluBackward0", "MmBackward0", "weight\\n[2, 2]", "input\\n[1, 2]"] {
            #expect(dot.contains(label), "missing \(label)")
        }
        #expect(dot.components(separatedBy: " -> ").count - 1 == 4)  // x, w -> mm -> relu -> sum
    }
}

@Suite("The autograd graph as SVG")
struct GraphSVGTests {
    @Test("Draws every node with its name and shape, an arrow per input, and a leaf's gradient norm after backward")
    func drawsTheGraph() {
        let w = Tensor([[3, 4]], requiresGrad: true)
        let x = Tensor([[1], [1]])
        let loss = w.matmul(x).sum()
        loss.backward()
        let svg = loss.graphSVG(names: ["weight": w])
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        for text in ["SumBackward0", "MmBackward0", "weight", "input (no gradient)", "[1, 2], |grad| 1.4142"] {
            #expect(svg.contains(text), "no '\(text)' in the SVG")
        }
        // Arrows: w -> mm, x -> mm, mm -> sum.
        #expect(svg.components(separatedBy: "<line ").count - 1 == 3)
    }
}
