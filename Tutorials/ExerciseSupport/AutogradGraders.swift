import Autograd
import Foundation
import MatrixMath

/// The graders of tutorial 03's exercises: four backward functions, the topological order, and
/// the backward pass itself.
public enum AutogradGraders {
    public static func multiplyBackward(
        _ learner: ([Float], [Float], [Float]) throws -> (a: [Float], b: [Float]), grader: Grader
    ) throws {
        try grader.check(
            "a = [1, 2, 3], b = [4, 5, 6], gradient [2, -1, 0.5], a known answer",
            hint: "dL/da = gradient * b and dL/db = gradient * a, element by element"
        ) {
            let (a, b, g): ([Float], [Float], [Float]) = ([1, 2, 3], [4, 5, 6], [2, -1, 0.5])
            let answer = try learner(g, a, b)
            let mistakes = [
                ("dL/da and dL/db swapped", [2, -2, 1.5] as [Float]), ("no incoming gradient", [4, 5, 6]),
            ]
            try expectClose(answer.a, [8, -5, 3], shape: [3], what: "dL/da", mistakes: mistakes)
            try expectClose(answer.b, [2, -2, 1.5], shape: [3], what: "dL/db")
        }
        try grader.check(
            "12 random values against central differences of L = sum(gradient * a * b)",
            hint: "d(a*b)/da = b: the chain rule multiplies it by the incoming gradient"
        ) {
            let a = randomValues(12, seed: 1), b = randomValues(12, seed: 2), g = randomValues(12, seed: 3)
            let answer = try learner(g, a, b)
            let loss = { (x: [Double], y: [Double]) in
                zip(g, zip(x, y)).reduce(0.0) { $0 + Double($1.0) * $1.1.0 * $1.1.1 }
            }
            let da = centralDifferences({ loss($0, b.map(Double.init)) }, at: a.map(Double.init))
            let db = centralDifferences({ loss(a.map(Double.init), $0) }, at: b.map(Double.init))
            try expectClose(answer.a, da, shape: [12], what: "dL/da", tolerance: 1e-3)
            try expectClose(answer.b, db, shape: [12], what: "dL/db", tolerance: 1e-3)
        }
    }

    public static func expBackward(_ learner: ([Float], [Float]) throws -> [Float], grader: Grader) throws {
        try grader.check(
            "x = [0, 1, -1], gradient [2, 0, -3], a known answer",
            hint: "d exp(x)/dx = exp(x): dL/dx = gradient * exp(x)"
        ) {
            let x: [Float] = [0, 1, -1], g: [Float] = [2, 0, -3]
            try expectClose(
                try learner(g, x), [2, 0, -3 / Float(M_E)], shape: [3], what: "dL/dx",
                mistakes: [
                    ("gradient * x", [0, 0, 3]), ("exp(x) without the incoming gradient", x.map { Foundation.exp($0) }),
                ])
        }
        try grader.check(
            "10 random values against central differences of L = sum(gradient * exp(x))",
            hint: "dL/dx = gradient * exp(x), element by element"
        ) {
            let x = randomValues(10, seed: 4, in: -3...3), g = randomValues(10, seed: 5)
            let numeric = centralDifferences(
                { x in zip(g, x).reduce(0.0) { $0 + Double($1.0) * Foundation.exp($1.1) } }, at: x.map(Double.init))
            try expectClose(try learner(g, x), numeric, shape: [10], what: "dL/dx", tolerance: 1e-3)
        }
    }

    public static func matmulBackward(
        _ learner: (Matrix, Matrix, Matrix) throws -> (a: Matrix, b: Matrix), grader: Grader
    ) throws {
        for (m, k, n) in [(3, 4, 5), (6, 2, 7)] {
            let a = randomMatrix(m, k, seed: UInt64(m)), b = randomMatrix(k, n, seed: UInt64(k + 50))
            let g = randomMatrix(m, n, seed: UInt64(n + 99))
            try grader.check(
                "A \(m)x\(k), B \(k)x\(n): dL/dA and dL/dB match central differences of L = sum(G * (A B))",
                hint:
                    "dL/dA = G B^T (m x n times n x k gives A's m x k); dL/dB = A^T G (k x m times m x n gives B's k x n)"
            ) {
                let answer = try learner(g, a, b)
                func loss(_ a: [Double], _ b: [Double]) -> Double {
                    var total = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0
                            for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
                            total += Double(g[i, j]) * sum
                        }
                    }
                    return total
                }
                let da = centralDifferences({ loss($0, b.storage.map(Double.init)) }, at: a.storage.map(Double.init))
                let db = centralDifferences({ loss(a.storage.map(Double.init), $0) }, at: b.storage.map(Double.init))
                try expectClose(answer.a, Matrix(rows: m, columns: k, storage: da), what: "dL/dA", tolerance: 1e-3)
                try expectClose(answer.b, Matrix(rows: k, columns: n, storage: db), what: "dL/dB", tolerance: 1e-3)
            }
        }
    }

    public static func linearBackward(
        _ learner: (Matrix, Matrix, Matrix) throws -> (input: Matrix, weight: Matrix, bias: [Float]), grader: Grader
    ) throws {
        let (batch, inputs, outputs) = (4, 3, 5)
        let x = randomMatrix(batch, inputs, seed: 7), w = randomMatrix(outputs, inputs, seed: 8)
        let b = randomValues(outputs, seed: 9), g = randomMatrix(batch, outputs, seed: 10)
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            var total = 0.0
            for i in 0..<batch {
                for o in 0..<outputs {
                    var y = b[o]
                    for f in 0..<inputs { y += x[i * inputs + f] * w[o * inputs + f] }
                    total += Double(g[i, o]) * y
                }
            }
            return total
        }
        let (xd, wd, bd) = (x.storage.map(Double.init), w.storage.map(Double.init), b.map(Double.init))
        let answer = try learner(g, x, w)
        try grader.check(
            "X 4x3, W 5x3: dL/dX matches central differences",
            hint: "Y = X W^T, so dL/dX = G W (n x out times out x in)"
        ) {
            let numeric = centralDifferences({ loss($0, wd, bd) }, at: xd)
            try expectClose(
                answer.input, Matrix(rows: batch, columns: inputs, storage: numeric), what: "dL/dX", tolerance: 1e-3)
        }
        try grader.check(
            "dL/dW has W's shape (5x3) and matches central differences",
            hint: "dL/dW = G^T X (out x n times n x in): the weight's own shape; X^T G would be its transpose"
        ) {
            let numeric = centralDifferences({ loss(xd, $0, bd) }, at: wd)
            try expectClose(
                answer.weight, Matrix(rows: outputs, columns: inputs, storage: numeric), what: "dL/dW", tolerance: 1e-3)
        }
        try grader.check(
            "dL/db (5 values) matches central differences",
            hint: "b is added to every row of Y: dL/db sums G over the batch (the sum, not the mean)"
        ) {
            let numeric = centralDifferences({ loss(xd, wd, $0) }, at: bd)
            try expectClose(
                answer.bias, numeric, shape: [outputs], what: "dL/db", tolerance: 1e-3,
                mistakes: [
                    ("the mean over the batch", numeric.map { $0 / Float(batch) }),
                    ("G's first row only", Array(g.storage[0..<outputs])),
                ])
        }
    }

    // MARK: - The graph

    /// Small graphs that tell orders apart: a chain, a tensor used twice, paths of different
    /// lengths to one tensor, and a chain 300 deep. Each returns its scalar root and its leaves.
    static let graphs: [(name: String, make: @Sendable () -> (root: Tensor, leaves: [Tensor]))] = [
        (
            "a chain: y = 2x, z = exp(y), root = sum(z)",
            {
                let x = Tensor(shape: [3], data: [0.1, -0.2, 0.3], requiresGrad: true)
                return (((x * 2).exp()).sum(), [x])
            }
        ),
        (
            "a tensor used twice: a = 3x, root = sum(exp(a) + a * a)",
            {
                let x = Tensor(shape: [4], data: [0.5, -1, 0.25, 0.1], requiresGrad: true)
                let a = x * 3
                return ((a.exp() + a * a).sum(), [x])
            }
        ),
        (
            "two paths of different lengths: u = exp(x), root = sum(u + 3 (2u)) with w = x * c",
            {
                let x = Tensor(shape: [3], data: [0.2, 0.4, -0.6], requiresGrad: true)
                let c = Tensor(shape: [3], data: [1, 2, 3], requiresGrad: true)
                let u = x.exp()
                let w = u * 2 * 3
                return ((u + w + x * c).sum(), [x, c])
            }
        ),
        (
            "a chain 300 operations deep",
            {
                let x = Tensor(shape: [2], data: [0.01, -0.02], requiresGrad: true)
                var y = x
                for step in 0..<300 { y = step % 2 == 0 ? y * 1.001 : y + x }
                return (y.sum(), [x])
            }
        ),
    ]

    /// Every computed tensor `root` depends on (the library's own walk), by identity.
    static func computedTensors(_ root: Tensor) -> Set<ObjectIdentifier> {
        Set(root.topologicalOrder().map(ObjectIdentifier.init))
    }

    public static func topologicalOrder(_ learner: (Tensor) throws -> [Tensor], grader: Grader) throws {
        for graph in graphs {
            try grader.check(
                graph.name,
                hint:
                    "a depth-first walk: visit a tensor's inputs first (those with a gradFn), then append the tensor; "
                    + "skip tensors already visited"
            ) {
                let (root, _) = graph.make()
                let order = try learner(root)
                let expected = computedTensors(root)
                var position: [ObjectIdentifier: Int] = [:]
                for (index, tensor) in order.enumerated() {
                    let id = ObjectIdentifier(tensor)
                    try expect(
                        tensor.gradFn != nil,
                        "entry \(index) is a leaf (no gradFn): the order holds computed tensors only")
                    try expect(
                        position[id] == nil,
                        "the tensor made by \(tensor.gradFn!.name) appears twice (entries \(position[id] ?? 0) and \(index)): "
                            + "a tensor reached by two paths is listed once")
                    position[id] = index
                }
                try expect(
                    Set(position.keys) == expected,
                    "\(order.count) tensors listed, the graph has \(expected.count) computed tensors")
                for (index, tensor) in order.enumerated() {
                    for input in tensor.gradFn!.inputs where input.gradFn != nil {
                        let inputIndex = position[ObjectIdentifier(input)]!
                        try expect(
                            inputIndex < index,
                            "the tensor made by \(tensor.gradFn!.name) (entry \(index)) comes before its input made by "
                                + "\(input.gradFn!.name) (entry \(inputIndex)): append a tensor only after all its inputs"
                        )
                    }
                }
            }
        }
    }

    public static func backwardPass(_ learner: (Tensor) throws -> Void, grader: Grader) throws {
        for graph in graphs {
            try grader.check(
                graph.name + ": every leaf's .grad as root.backward() gives",
                hint: "visit the reversed topological order; at each node call gradFn!.apply(received) and add each "
                    + "result to what that input has received so far (+=, since a tensor can be used twice)"
            ) {
                let (expectedRoot, expectedLeaves) = graph.make()
                expectedRoot.backward()
                let (root, leaves) = graph.make()
                try learner(root)
                for (index, (leaf, reference)) in zip(leaves, expectedLeaves).enumerated() {
                    guard let grad = leaf.grad else {
                        throw Mismatch(detail: "leaf \(index) has no .grad after your pass")
                    }
                    try expectClose(grad.data, reference.grad!.data, shape: leaf.shape, what: "leaf \(index)'s .grad")
                }
            }
        }
        try grader.check(
            "gradients accumulate: a leaf whose .grad already holds ones gets the new gradient added",
            hint: "add into an existing .grad (PyTorch keeps summing until zeroGrad()); create it only when it is nil"
        ) {
            let (expectedRoot, expectedLeaves) = graphs[1].make()
            expectedRoot.backward()
            let (root, leaves) = graphs[1].make()
            leaves[0].grad = Tensor(shape: leaves[0].shape, data: [Float](repeating: 1, count: leaves[0].count))
            try learner(root)
            try expectClose(
                leaves[0].grad?.data ?? [], expectedLeaves[0].grad!.data.map { $0 + 1 }, shape: leaves[0].shape,
                what: "the leaf's .grad",
                mistakes: [("replacing .grad instead of adding to it", expectedLeaves[0].grad!.data)])
        }
        try grader.check(
            "a leaf that does not require a gradient gets none",
            hint: "only leaves with requiresGrad receive a .grad"
        ) {
            let x = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
            let constant = Tensor(shape: [2], data: [3, 4])
            try learner((x * constant).sum())
            try expect(constant.grad == nil, "the constant received a .grad")
            try expectClose(x.grad?.data ?? [], [3, 4], shape: [2], what: "x's .grad")
        }
    }
}
