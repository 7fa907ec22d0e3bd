import Autograd
import MatrixMath
import TestSupport
import Testing

@Suite("Every differentiable operation's gradient matches central differences")
struct OperationGradientTests {
    struct BroadcastCase: CustomTestStringConvertible, Sendable {
        let a: [Int], b: [Int]
        var testDescription: String { "\(a) with \(b)" }
    }

    static let broadcastCases = [
        BroadcastCase(a: [3, 4], b: [3, 4]),
        BroadcastCase(a: [3, 4], b: [4]),  // a bias over rows
        BroadcastCase(a: [3, 1], b: [1, 4]),  // an outer combination
        BroadcastCase(a: [2, 3, 4], b: [3, 1]),
        BroadcastCase(a: [], b: [2, 3]),  // a scalar tensor
    ]

    @Test("add, sub, mul and div, with broadcasting", arguments: broadcastCases)
    func arithmetic(_ shapes: BroadcastCase) {
        let a = randomTensor(shapes.a, seed: 1), b = randomTensor(shapes.b, seed: 2, margin: 0.5)
        let operations: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("add", { $0 + $1 }), ("sub", { $0 - $1 }), ("mul", { $0 * $1 }), ("div", { $0 / $1 }),
        ]
        for (name, operation) in operations {
            let result = gradcheck([a, b]) { operation($0[0], $0[1]) }
            expectGradientsMatch(result, "\(name)")
        }
    }

    @Test("Scalar arithmetic and negation: x + 2, 3 - x, x * 1.5, x / 4, 2 / x, -x")
    func scalarArithmetic() {
        let x = randomTensor([2, 3], seed: 3, margin: 0.5)
        let operations: [(String, (Tensor) -> Tensor)] = [
            ("x+2", { $0 + 2 }), ("3-x", { 3 - $0 }), ("x*1.5", { $0 * 1.5 }), ("x/4", { $0 / 4 }),
            ("2/x", { 2 / $0 }), ("-x", { -$0 }), ("x-1", { $0 - 1 }), ("2*x", { 2 * $0 }), ("1+x", { 1 + $0 }),
        ]
        for (name, operation) in operations {
            let result = gradcheck([x]) { operation($0[0]) }
            expectGradientsMatch(result, "\(name)")
        }
    }

    @Test("matmul: dA = dC B^T and dB = A^T dC")
    func matmul() {
        let a = randomTensor([3, 5], seed: 4), b = randomTensor([5, 2], seed: 5)
        let result = gradcheck([a, b]) { $0[0].matmul($0[1]) }
        expectGradientsMatch(result)
    }

    @Test(
        "matmul over an empty inner dimension is all zeros, and so are its gradients (their arrays start uninitialised)"
    )
    func matmulEmptyInner() {
        let a = Tensor(shape: [2, 0], data: [], requiresGrad: true)
        let b = Tensor(shape: [0, 3], data: [], requiresGrad: true)
        let w = Tensor(shape: [3, 0], data: [], requiresGrad: true)
        let product = a.matmul(b)
        #expect(product.data == [Float](repeating: 0, count: 6))
        // [2, 3] x [3, 0] -> [2, 0]: the gradient of the [2, 3] operand sums over nothing.
        product.matmul(w).sum().backward()
        #expect(a.grad?.data == [])
        #expect(b.grad?.data == [])
        let x = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        (x.matmul(w).sum() + x.sum()).backward()
        #expect(x.grad?.data == [Float](repeating: 1, count: 6))
        #expect(w.grad?.data == [])
    }

    @Test("linear: x W^T + b, with and without bias")
    func linear() {
        let x = randomTensor([4, 3], seed: 6), w = randomTensor([2, 3], seed: 7), b = randomTensor([2], seed: 8)
        expectGradientsMatch(gradcheck([x, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2]) })
        expectGradientsMatch(gradcheck([x, w]) { $0[0].linear(weight: $0[1], bias: nil) })
    }

    @Test("reshape, flatten and transpose pass gradients back in the original layout")
    func shapes() {
        let x = randomTensor([2, 3, 4], seed: 9)
        expectGradientsMatch(
            gradcheck([x]) { $0[0].reshaped(to: [4, -1]) * Tensor(shape: [4, 6], data: (0..<24).map(Float.init)) })
        expectGradientsMatch(
            gradcheck([x]) { $0[0].flattened(startDim: 1) * Tensor(shape: [2, 12], data: (0..<24).map(Float.init)) })
        let m = randomTensor([3, 4], seed: 10)
        expectGradientsMatch(
            gradcheck([m]) { $0[0].transposed() * Tensor(shape: [4, 3], data: (0..<12).map(Float.init)) })
    }

    @Test("sum and mean, over everything and along each dimension")
    func reductions() {
        let x = randomTensor([2, 3, 4], seed: 11)
        expectGradientsMatch(gradcheck([x]) { $0[0].sum() })
        expectGradientsMatch(gradcheck([x]) { $0[0].mean() })
        for dim in [0, 1, 2, -1] {
            expectGradientsMatch(gradcheck([x]) { $0[0].sum(dim: dim) }, "sum dim \(dim)")
            expectGradientsMatch(gradcheck([x]) { $0[0].mean(dim: dim, keepDim: true) }, "mean dim \(dim)")
        }
    }

    @Test("max along a dimension sends the gradient to the maximum only")
    func maximum() {
        let x = randomTensor([3, 5], seed: 12)
        expectGradientsMatch(gradcheck([x]) { $0[0].max(dim: 1).values })
        expectGradientsMatch(gradcheck([x]) { $0[0].max(dim: 0, keepDim: true).values })
    }

    @Test("exp, log, relu, sigmoid, tanh and pow")
    func elementwiseFunctions() {
        let x = randomTensor([3, 4], seed: 13)
        let positive = randomTensor([3, 4], seed: 14, positive: true)
        expectGradientsMatch(gradcheck([x]) { $0[0].exp() })
        expectGradientsMatch(gradcheck([positive]) { $0[0].log() })
        expectGradientsMatch(gradcheck([x]) { $0[0].relu() })
        expectGradientsMatch(gradcheck([x]) { $0[0].sigmoid() })
        expectGradientsMatch(gradcheck([x]) { $0[0].tanh() })
        expectGradientsMatch(gradcheck([positive]) { $0[0].pow(3) })
        expectGradientsMatch(gradcheck([positive]) { $0[0].pow(0.5) })
    }

    @Test(
        "ReLU on 100,003 values (both threads): y = max(0, x) with NaN kept, dx = g only where x > 0 (not at 0, NaN or -inf)"
    )
    func reluKnownAnswers() {
        let pattern: [Float] = [-1, 0, 2.5, .nan, -.infinity, .infinity, -0.0, 1e-30]
        let count = 100_003
        let values = (0..<count).map { pattern[$0 % pattern.count] }
        let x = Tensor(shape: [count], data: values, requiresGrad: true)
        let y = x.relu()
        let expectedOutput: [Float] = [0, 0, 2.5, .nan, 0, .infinity, 0, 1e-30]
        #expect(
            (0..<count).allSatisfy { i in
                let (got, want) = (y.data[i], expectedOutput[i % pattern.count])
                return got == want || (got.isNaN && want.isNaN)
            })
        let g = (0..<count).map { Float($0 % 7) + 0.5 }
        y.backward(Tensor(shape: [count], data: g))
        let passes: [Bool] = [false, false, true, false, false, true, false, true]
        #expect(x.grad!.data == (0..<count).map { passes[$0 % pattern.count] ? g[$0] : 0 })
    }

    @Test("ReLU's values, made when first read, come from x as it was when relu() was called")
    func reluReadsInputAsItWas() {
        let x = Tensor([-2, -1, 0, 1, 2] as [Float], requiresGrad: true)
        let y = x.relu()
        x.data = [5, 5, 5, 5, -5]  // after the call: y must not see it, as in PyTorch
        #expect(y.data == [0, 0, 0, 1, 2])
        y.backward(Tensor([1, 1, 1, 1, 1] as [Float]))
        #expect(x.grad!.data == [0, 0, 0, 1, 1])
    }

    @Test("softmax and log-softmax along every dimension of a 3-D tensor")
    func softmaxFamily() {
        let x = randomTensor([2, 3, 4], seed: 15)
        for dim in [0, 1, 2] {
            expectGradientsMatch(gradcheck([x]) { $0[0].softmax(dim: dim) }, "softmax dim \(dim)")
            expectGradientsMatch(gradcheck([x]) { $0[0].logSoftmax(dim: dim) }, "logSoftmax dim \(dim)")
        }
    }

    @Test("gather picks x[i, labels[i]] and scatters the gradient back")
    func gather() {
        let x = randomTensor([4, 3], seed: 16)
        expectGradientsMatch(gradcheck([x]) { $0[0].gather(labels: [2, 0, 1, 2]) })
        #expect(Tensor([[1, 2], [3, 4]]).gather(labels: [1, 0]).data == [2, 3])
    }

    @Test("A chain of operations, as a small network computes, checks end to end")
    func composite() {
        let x = randomTensor([5, 4], seed: 17), w = randomTensor([3, 4], seed: 18), b = randomTensor([3], seed: 19)
        let result = gradcheck([x, w, b]) { inputs in
            inputs[0].linear(weight: inputs[1], bias: inputs[2]).tanh().logSoftmax(dim: 1).gather(labels: [
                0, 1, 2, 0, 1,
            ]).mean()
        }
        expectGradientsMatch(result)
    }

    @Test("gradcheck itself fails an operation whose backward is off by a factor of 2")
    func gradcheckCatchesErrors() {
        let x = randomTensor([3], seed: 20)
        let result = gradcheck([x]) { inputs in
            let input = inputs[0]
            // y = x^2 with a wrong derivative x instead of 2x.
            return Tensor.result(shape: input.shape, data: input.data.map { $0 * $0 }, inputs: [input], name: "Wrong") {
                g, _ in
                [zip(g, input.data).map { $0 * $1 }]
            }
        }
        #expect(!result.passed, "a wrong backward passed the gradient check: \(result)")
        #expect(result.mismatches.count == 3)
        #expect(result.description.contains("argument 0, entry [0]: expected (numeric)"), "\(result)")
    }
}
