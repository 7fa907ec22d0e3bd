import Autograd
import ExerciseSupport
import Foundation
import MatrixMath
import NeuralNetwork

// The usual mistakes, written out as a learner might make them: each must fail its grader (and
// never be reported as passed or as not started). Plain loops throughout, so a wrong answer
// gives wrong numbers instead of tripping a library precondition.

/// C[i, j] from A's row i and a loop over p.
func product(_ a: Matrix, _ b: Matrix, rows: Int, columns: Int, inner: Int, _ term: (Int, Int, Int) -> Float) -> Matrix
{
    var c = Matrix.zeros(rows: rows, columns: columns)
    for i in 0..<rows { for j in 0..<columns { for p in 0..<inner { c[i, j] += term(i, j, p) } } }
    return c
}

enum WrongMatmul {
    /// Reads B as if transposed: b[j, p]; shapes only work out when square.
    static func bTransposed(_ a: Matrix, _ b: Matrix) throws -> Matrix {
        let n = min(b.rows, b.columns)
        return product(a, b, rows: a.rows, columns: b.columns, inner: min(a.columns, n)) { i, j, p in
            j < b.rows && p < b.columns ? a[i, p] * b[j, p] : 0
        }
    }
    /// Assigns instead of adding: only the last p survives.
    static func assigns(_ a: Matrix, _ b: Matrix) throws -> Matrix {
        var c = Matrix.zeros(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows { for j in 0..<b.columns { for p in 0..<a.columns { c[i, j] = a[i, p] * b[p, j] } } }
        return c
    }
    /// Stops one short along p.
    static func skipsLast(_ a: Matrix, _ b: Matrix) throws -> Matrix {
        product(a, b, rows: a.rows, columns: b.columns, inner: a.columns - 1) { i, j, p in a[i, p] * b[p, j] }
    }
    /// Blocks that ignore the last partial tile.
    static func dropsEdges(_ a: Matrix, _ b: Matrix, _ blockSize: Int) throws -> Matrix {
        var c = Matrix.zeros(rows: a.rows, columns: b.columns)
        let (m, n, k) = (
            a.rows / blockSize * blockSize, b.columns / blockSize * blockSize, a.columns / blockSize * blockSize
        )
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i, j] += a[i, p] * b[p, j] } } }
        return c
    }
    /// Each k-block overwrites the tile of C instead of adding to it.
    static func overwritesAcrossK(_ a: Matrix, _ b: Matrix, _ blockSize: Int) throws -> Matrix {
        var c = Matrix.zeros(rows: a.rows, columns: b.columns)
        for p0 in stride(from: 0, to: a.columns, by: blockSize) {
            for i in 0..<a.rows {
                for j in 0..<b.columns {
                    var sum: Float = 0
                    for p in p0..<min(p0 + blockSize, a.columns) { sum += a[i, p] * b[p, j] }
                    c[i, j] = sum
                }
            }
        }
        return c
    }
}

enum WrongSoftmax {
    /// No max subtraction: exp(1000) is infinity.
    static func unstable(_ z: Matrix) throws -> Matrix {
        var p = z.map { Foundation.exp($0) }
        for i in 0..<p.rows {
            let sum = p.row(i).reduce(0, +)
            for j in 0..<p.columns { p[i, j] /= sum }
        }
        return p
    }
    /// Normalised down the columns.
    static func columns(_ z: Matrix) throws -> Matrix { z.softmax(dim: 0) }
    /// exp without the normalisation.
    static func unnormalised(_ z: Matrix) throws -> Matrix { z.map { Foundation.exp($0) } }

    static func scores(_ x: Matrix, _ labels: [Int], _ w: Matrix, _ b: Matrix) -> (z: Matrix, truth: Matrix) {
        let z = x.matmul(w) + b
        let truth = Matrix(
            rows: labels.count, columns: w.columns,
            storage: (0..<labels.count * w.columns).map { labels[$0 / w.columns] == $0 % w.columns ? 1 : 0 })
        return (z, truth)
    }
    /// The gradient without the softmax: Z - onehot.
    static func withoutSoftmax(_ x: Matrix, _ labels: [Int], _ w: Matrix, _ b: Matrix) throws -> (
        weight: Matrix, bias: Matrix
    ) {
        let (z, truth) = scores(x, labels, w, b)
        let dz = (z - truth) / Float(labels.count)
        return (x.matmul(dz, transposeSelf: true), dz.sum(dim: 0))
    }
    /// The sum over the batch instead of the mean.
    static func withoutMean(_ x: Matrix, _ labels: [Int], _ w: Matrix, _ b: Matrix) throws -> (
        weight: Matrix, bias: Matrix
    ) {
        let (z, truth) = scores(x, labels, w, b)
        let dz = z.softmax(dim: 1) - truth
        return (x.matmul(dz, transposeSelf: true), dz.sum(dim: 0))
    }
    /// dZ^T X: the weight gradient transposed.
    static func transposed(_ x: Matrix, _ labels: [Int], _ w: Matrix, _ b: Matrix) throws -> (
        weight: Matrix, bias: Matrix
    ) {
        let (z, truth) = scores(x, labels, w, b)
        let dz = (z.softmax(dim: 1) - truth) / Float(labels.count)
        return (dz.matmul(x, transposeSelf: true), dz.sum(dim: 0))
    }
    /// The bias gradient from the first image only.
    static func firstRowBias(_ x: Matrix, _ labels: [Int], _ w: Matrix, _ b: Matrix) throws -> (
        weight: Matrix, bias: Matrix
    ) {
        let (z, truth) = scores(x, labels, w, b)
        let dz = (z.softmax(dim: 1) - truth) / Float(labels.count)
        return (x.matmul(dz, transposeSelf: true), dz.rows(0..<1))
    }
}

enum WrongAutograd {
    static func multiplySwapped(_ g: [Float], _ a: [Float], _ b: [Float]) throws -> (a: [Float], b: [Float]) {
        (zip(g, a).map(*), zip(g, b).map(*))
    }
    static func multiplyWithoutGradient(_ g: [Float], _ a: [Float], _ b: [Float]) throws -> (a: [Float], b: [Float]) {
        (b, a)
    }
    static func expTimesInput(_ g: [Float], _ x: [Float]) throws -> [Float] { zip(g, x).map(*) }
    static func expWithoutGradient(_ g: [Float], _ x: [Float]) throws -> [Float] { x.map { Foundation.exp($0) } }
    /// dL/dA = G B^T but dL/dB = G^T A (the transpose of the right one).
    static func matmulTransposedB(_ g: Matrix, _ a: Matrix, _ b: Matrix) throws -> (a: Matrix, b: Matrix) {
        (g.matmul(b, transposeOther: true), g.matmul(a, transposeSelf: true))
    }
    /// The two answers swapped.
    static func matmulSwapped(_ g: Matrix, _ a: Matrix, _ b: Matrix) throws -> (a: Matrix, b: Matrix) {
        (a.matmul(g, transposeSelf: true), g.matmul(b, transposeOther: true))
    }
    /// dL/dW = X^T G: in x out, the transpose of W's shape.
    static func linearTransposedWeight(_ g: Matrix, _ x: Matrix, _ w: Matrix) throws -> (
        input: Matrix, weight: Matrix, bias: [Float]
    ) {
        (g.matmul(w), x.matmul(g, transposeSelf: true), g.sum(dim: 0).storage)
    }
    /// The bias gradient averaged over the batch.
    static func linearMeanBias(_ g: Matrix, _ x: Matrix, _ w: Matrix) throws -> (
        input: Matrix, weight: Matrix, bias: [Float]
    ) {
        (g.matmul(w), g.matmul(x, transposeSelf: true), g.sum(dim: 0).storage.map { $0 / Float(g.rows) })
    }
    /// Breadth-first from the root, reversed: wrong when paths to a tensor differ in length.
    static func breadthFirst(_ root: Tensor) throws -> [Tensor] {
        var order: [Tensor] = [], queue = [root], seen = Set<ObjectIdentifier>()
        while !queue.isEmpty {
            let tensor = queue.removeFirst()
            guard tensor.gradFn != nil, seen.insert(ObjectIdentifier(tensor)).inserted else { continue }
            order.append(tensor)
            queue += tensor.gradFn!.inputs
        }
        return order.reversed()
    }
    /// Depth-first post-order without remembering what was visited: shared tensors twice.
    static func withoutVisited(_ root: Tensor) throws -> [Tensor] {
        var order: [Tensor] = []
        func visit(_ tensor: Tensor) {
            guard let function = tensor.gradFn else { return }
            for input in function.inputs { visit(input) }
            order.append(tensor)
        }
        visit(root)
        return order
    }
    /// Leaves included in the order.
    static func withLeaves(_ root: Tensor) throws -> [Tensor] { root.topologicalOrder(includingLeaves: true) }

    /// The backward walk with a choice of mistakes.
    static func walk(_ root: Tensor, overwrite: Bool = false, replaceLeafGrad: Bool = false, forwardOrder: Bool = false)
    {
        var received: [ObjectIdentifier: [Float]] = [ObjectIdentifier(root): [1]]
        let order = root.topologicalOrder()
        for tensor in forwardOrder ? order : order.reversed() {
            guard let gradient = received[ObjectIdentifier(tensor)], let function = tensor.gradFn else { continue }
            for (input, contribution) in zip(function.inputs, function.apply(gradient)) {
                guard let contribution, input.requiresGrad else { continue }
                if input.gradFn == nil {
                    let previous = replaceLeafGrad ? nil : input.grad?.data
                    input.grad = Tensor(
                        shape: input.shape, data: previous.map { zip($0, contribution).map(+) } ?? contribution)
                } else {
                    let previous = overwrite ? nil : received[ObjectIdentifier(input)]
                    received[ObjectIdentifier(input)] = previous.map { zip($0, contribution).map(+) } ?? contribution
                }
            }
        }
    }
}

enum WrongModules {
    /// A network without the ReLU between its layers.
    final class NoReLU: Module {
        let weight1: Parameter, bias1: Parameter, weight2: Parameter, bias2: Parameter
        init(_ inputs: Int, _ hidden: Int, _ outputs: Int) {
            let first = Linear(inputFeatures: inputs, outputFeatures: hidden)
            let second = Linear(inputFeatures: hidden, outputFeatures: outputs)
            (weight1, bias1, weight2, bias2) = (first.weight, first.bias!, second.weight, second.bias!)
        }
        override func forward(_ input: Tensor) -> Tensor {
            input.linear(weight: weight1, bias: bias1).linear(weight: weight2, bias: bias2)
        }
    }
    /// Weights kept as plain tensors: parameters() cannot see them.
    final class PlainTensors: Module {
        let weight1: Tensor, bias1: Tensor, weight2: Tensor, bias2: Tensor
        init(_ inputs: Int, _ hidden: Int, _ outputs: Int) {
            let first = Linear(inputFeatures: inputs, outputFeatures: hidden)
            let second = Linear(inputFeatures: hidden, outputFeatures: outputs)
            (weight1, bias1, weight2, bias2) = (
                first.weight.detached(), first.bias!.detached(), second.weight.detached(), second.bias!.detached()
            )
        }
        override func forward(_ input: Tensor) -> Tensor {
            input.linear(weight: weight1, bias: bias1).relu().linear(weight: weight2, bias: bias2)
        }
    }
    /// Every weight zero: symmetric hidden units.
    final class Zeros: Module {
        let weight1: Parameter, bias1: Parameter, weight2: Parameter, bias2: Parameter
        init(_ inputs: Int, _ hidden: Int, _ outputs: Int) {
            weight1 = Parameter(shape: [hidden, inputs], data: [Float](repeating: 0, count: hidden * inputs))
            bias1 = Parameter(shape: [hidden], data: [Float](repeating: 0, count: hidden))
            weight2 = Parameter(shape: [outputs, hidden], data: [Float](repeating: 0, count: outputs * hidden))
            bias2 = Parameter(shape: [outputs], data: [Float](repeating: 0, count: outputs))
        }
        override func forward(_ input: Tensor) -> Tensor {
            input.linear(weight: weight1, bias: bias1).relu().linear(weight: weight2, bias: bias2)
        }
    }

    /// The velocity of steps: v = μ v + lr g, p -= v (right only while the rate stays put).
    static func sgdVelocityOfSteps(
        _ p: inout [Float], _ g: [Float], _ v: inout [Float]?, _ lr: Float, _ momentum: Float, _ decay: Float
    ) throws {
        let d = zip(g, p).map { $0 + decay * $1 }
        let previous = v ?? [Float](repeating: 0, count: p.count)
        let velocity = zip(previous, d).map { momentum * $0 + lr * $1 }
        v = velocity
        for i in p.indices { p[i] -= velocity[i] }
    }
    /// Weight decay added after the momentum.
    static func sgdDecayAfter(
        _ p: inout [Float], _ g: [Float], _ v: inout [Float]?, _ lr: Float, _ momentum: Float, _ decay: Float
    ) throws {
        let velocity = v.map { zip($0, g).map { momentum * $0 + $1 } } ?? g
        v = velocity
        for i in p.indices { p[i] -= lr * (velocity[i] + decay * p[i]) }
    }
    /// The velocity never stored.
    static func sgdForgetsVelocity(
        _ p: inout [Float], _ g: [Float], _ v: inout [Float]?, _ lr: Float, _ momentum: Float, _ decay: Float
    ) throws {
        for i in p.indices { p[i] -= lr * (g[i] + decay * p[i]) }
    }

    static func adam(
        _ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float], _ t: Int, _ lr: Float, _ b1: Float,
        _ b2: Float, _ eps: Float, correct: Bool = true, epsilonInside: Bool = false
    ) {
        for i in p.indices {
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            let mHat = correct ? m[i] / (1 - Foundation.pow(b1, Float(t))) : m[i]
            let vHat = correct ? v[i] / (1 - Foundation.pow(b2, Float(t))) : v[i]
            p[i] -= lr * mHat / (epsilonInside ? (vHat + eps).squareRoot() : vHat.squareRoot() + eps)
        }
    }
    static func adamWithoutCorrection(
        _ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float], _ t: Int, _ lr: Float, _ b1: Float,
        _ b2: Float, _ eps: Float
    ) throws { adam(&p, g, &m, &v, t, lr, b1, b2, eps, correct: false) }
    static func adamEpsilonInside(
        _ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float], _ t: Int, _ lr: Float, _ b1: Float,
        _ b2: Float, _ eps: Float
    ) throws { adam(&p, g, &m, &v, t, lr, b1, b2, eps, epsilonInside: true) }
}
