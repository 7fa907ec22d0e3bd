/// Every exercise, in the order of the tutorials.
public enum ExerciseCatalogue {
    public static let all: [Exercise] = matrices + softmax + autograd + modules + convolution

    /// The exercise with this id ("3.2"), or nil.
    public static func exercise(_ id: String) -> Exercise? { all.first { $0.id == id } }

    static let matrices = [
        Exercise(
            id: "1.1", name: "NaiveMatmul", title: "the matrix product, three loops",
            taughtIn: "Tutorials/01-Matrices/main.swift, sections 2 and 3",
            statement: """
                Return C = A B for A (m x k) and B (k x n): C[i, j] = sum over p of A[i, p] * B[p, j].
                Three nested loops over `a[i, p]` and `b[p, j]` (Matrix's subscript); the result is
                `Matrix.zeros(rows: m, columns: n)` filled in. Any m, k, n, not only square ones.
                """,
            imports: ["MatrixMath"],
            declaration: """
                public func naiveMatmul(_ a: Matrix, _ b: Matrix) throws -> Matrix {
                    throw ExerciseNotStarted("1.1")
                }
                """),
        Exercise(
            id: "1.2", name: "BlockedMatmul", title: "the matrix product, cache-blocked",
            taughtIn: "Tutorials/01-Matrices/main.swift, sections 3 and 5",
            statement: """
                The same product, computed block by block: for each `blockSize` x `blockSize` tile of C,
                add the products of the matching tiles of A and B, so the tiles being read stay in the
                cache. Sizes need not be multiples of `blockSize`: the last tiles are smaller. Work on
                the storage arrays (row-major: A[i, p] is `a.storage[i * a.columns + p]`) for speed.
                """,
            imports: ["MatrixMath"],
            declaration: """
                public func blockedMatmul(_ a: Matrix, _ b: Matrix, blockSize: Int) throws -> Matrix {
                    throw ExerciseNotStarted("1.2")
                }
                """),
    ]

    static let softmax = [
        Exercise(
            id: "2.1", name: "SoftmaxRows", title: "softmax of each row",
            taughtIn: "Tutorials/02-SoftmaxRegression/main.swift, section 2",
            statement: """
                Return softmax of each row: p[i, j] = exp(z[i, j]) / sum over c of exp(z[i, c]). Scores
                can be large (1000 overflows exp): subtract each row's largest score first, which
                leaves the result unchanged.
                """,
            imports: ["MatrixMath"],
            declaration: """
                public func softmaxRows(_ logits: Matrix) throws -> Matrix {
                    throw ExerciseNotStarted("2.1")
                }
                """),
        Exercise(
            id: "2.2", name: "SoftmaxRegressionGradients", title: "the cross-entropy gradient, derived by hand",
            taughtIn: "Tutorials/02-SoftmaxRegression/main.swift, sections 2 and 3",
            statement: """
                Softmax regression scores a batch X (n x 784) as Z = X W + b, with W (784 x 10) and b
                (1 x 10), and its loss is the mean over the batch of -log softmax(Z)[i, label i].
                Return the gradients of that loss with respect to W and b: with dZ = (softmax(Z) -
                onehot(labels)) / n, they are dW = X^T dZ (784 x 10) and db = the column sums of dZ.
                """,
            imports: ["MatrixMath"],
            declaration: """
                public func softmaxRegressionGradients(inputs: Matrix, labels: [Int], weight: Matrix, bias: Matrix)
                    throws -> (weight: Matrix, bias: Matrix)
                {
                    throw ExerciseNotStarted("2.2")
                }
                """),
    ]

    static let autograd = [
        Exercise(
            id: "3.1", name: "MultiplyBackward", title: "the backward of an elementwise product",
            taughtIn: "Tutorials/03-Autograd/main.swift, section 3 (and Sources/Autograd/Tensor+Arithmetic.swift)",
            statement: """
                y = a * b, element by element. Given `gradient` = dL/dy, return dL/da and dL/db (the
                chain rule: each is the incoming gradient times the derivative of y by that input).
                """,
            imports: [],
            declaration: """
                public func multiplyBackward(gradient: [Float], a: [Float], b: [Float]) throws -> (a: [Float], b: [Float]) {
                    throw ExerciseNotStarted("3.1")
                }
                """),
        Exercise(
            id: "3.2", name: "ExpBackward", title: "the backward of exp",
            taughtIn: "Tutorials/03-Autograd/main.swift, section 3 (and Sources/Autograd/Tensor+Math.swift)",
            statement: """
                y = exp(x), element by element. Given `gradient` = dL/dy and the input x, return dL/dx.
                """,
            imports: [],
            declaration: """
                public func expBackward(gradient: [Float], input: [Float]) throws -> [Float] {
                    throw ExerciseNotStarted("3.2")
                }
                """),
        Exercise(
            id: "3.3", name: "MatmulBackward", title: "the backward of a matrix product",
            taughtIn: "Tutorials/03-Autograd/main.swift, sections 3 and 4 (and Sources/Autograd/Tensor+Matmul.swift)",
            statement: """
                Y = A B with A (m x k), B (k x n). Given `gradient` = dL/dY (m x n), return dL/dA
                (m x k) and dL/dB (k x n). Check your answer's shapes: they say where the transposes go.
                `Matrix.matmul(_:transposeSelf:transposeOther:)` is yours to use.
                """,
            imports: ["MatrixMath"],
            declaration: """
                public func matmulBackward(gradient: Matrix, a: Matrix, b: Matrix) throws -> (a: Matrix, b: Matrix) {
                    throw ExerciseNotStarted("3.3")
                }
                """),
        Exercise(
            id: "3.4", name: "LinearBackward", title: "the backward of Linear",
            taughtIn: "Tutorials/03-Autograd/main.swift, section 4 (and Sources/Autograd/Tensor+Matmul.swift, linear)",
            statement: """
                PyTorch's Linear computes Y = X W^T + b with X (n x in), W (out x in), b (out). Given
                `gradient` = dL/dY (n x out), return dL/dX (n x in), dL/dW (out x in: the weight's own
                shape) and dL/db (out values: b is added to every row).
                """,
            imports: ["MatrixMath"],
            declaration: """
                public func linearBackward(gradient: Matrix, input: Matrix, weight: Matrix)
                    throws -> (input: Matrix, weight: Matrix, bias: [Float])
                {
                    throw ExerciseNotStarted("3.4")
                }
                """),
        Exercise(
            id: "3.5", name: "TopologicalOrder", title: "the order backward() visits the graph in",
            taughtIn: "Tutorials/03-Autograd/main.swift, section 3 (and Sources/Autograd/Backward.swift)",
            statement: """
                Return every computed tensor `root` depends on (those with a `gradFn`; `root` included,
                leaves excluded), each once, and each after every computed tensor it was made from
                (`tensor.gradFn!.inputs`). A depth-first walk that appends a tensor after visiting its
                inputs gives this order; remember which tensors you have seen (compare them with ===
                or ObjectIdentifier): graphs share tensors.
                """,
            imports: ["Autograd"],
            declaration: """
                public func topologicalOrder(from root: Tensor) throws -> [Tensor] {
                    throw ExerciseNotStarted("3.5")
                }
                """),
        Exercise(
            id: "3.6", name: "BackwardPass", title: "backward() itself: the chain rule over the graph",
            taughtIn: "Tutorials/03-Autograd/main.swift, section 3 (and Sources/Autograd/Backward.swift)",
            statement: """
                Do what `root.backward()` does, for a scalar `root`: start from dL/droot = [1], visit the
                computed tensors in reverse topological order (yours from 3.5, or the library's
                `root.topologicalOrder()`), call each one's `gradFn!.apply(gradient)` to get one
                gradient per input (nil where none is needed), and hand each to that input: add it to
                what that input already received (a tensor used twice receives two contributions). A
                leaf (no gradFn) that `requiresGrad` gets the sum added into its `.grad` (create
                `Tensor(shape:data:)` if nil): gradients accumulate until zeroGrad, as in PyTorch.
                """,
            imports: ["Autograd"],
            declaration: """
                public func backwardPass(from root: Tensor) throws {
                    throw ExerciseNotStarted("3.6")
                }
                """),
    ]

    static let modules = [
        Exercise(
            id: "4.1", name: "TwoLayerNetwork", title: "a Module with Parameters",
            taughtIn:
                "Tutorials/04-Modules/main.swift, section 1, Sources/NeuralNetwork/Module.swift and Linear.swift",
            statement: """
                Build a two-layer network from Parameters, without Linear: `weight1` (hidden x inputs),
                `bias1` (hidden), `weight2` (outputs x hidden), `bias2` (outputs), each filled, as
                PyTorch's Linear does, uniformly in -1/sqrt(fan_in)...1/sqrt(fan_in), where fan_in is
                the layer's number of inputs (`Float.random(in:)` will do). forward(x) = relu(x W1^T + b1)
                W2^T + b2, written with Tensor operations (matmul, transposed, +, relu) so autograd can
                follow it. Stored `Parameter` properties are found by `parameters()` on their own.
                """,
            imports: ["Autograd", "NeuralNetwork"],
            declaration: """
                public final class TwoLayerNetwork: Module {
                    // Your parameters here, as `public let weight1: Parameter` and so on.

                    public init(inputs: Int, hidden: Int, outputs: Int) throws {
                        throw ExerciseNotStarted("4.1")
                    }

                    public override func forward(_ input: Tensor) -> Tensor {
                        input  // replace: the network's output
                    }
                }
                """),
        Exercise(
            id: "4.2", name: "SGDMomentumStep", title: "one step of SGD with momentum",
            taughtIn: "Sources/Optimizers/SGD.swift (momentum is its doc comment; tutorial 06 trains with it)",
            statement: """
                PyTorch's SGD with momentum μ and weight decay λ, for one parameter: g = gradient + λ p;
                the velocity v becomes g on the first step (when `velocity` is nil) and μ v + g after;
                then p -= learningRate * v. Update `parameter` and `velocity` in place. (The learning
                rate may change between steps, as a StepLR schedule changes it.)
                """,
            imports: [],
            declaration: """
                public func sgdMomentumStep(
                    parameter: inout [Float], gradient: [Float], velocity: inout [Float]?, learningRate: Float,
                    momentum: Float, weightDecay: Float
                ) throws {
                    throw ExerciseNotStarted("4.2")
                }
                """),
        Exercise(
            id: "4.3", name: "AdamStep", title: "one step of Adam",
            taughtIn: "Tutorials/04-Modules/main.swift, section 5, and Sources/Optimizers/Adam.swift (its doc comment)",
            statement: """
                Adam for one parameter at step t (1 on the first step): m = β1 m + (1 - β1) g;
                v = β2 v + (1 - β2) g²; with the bias corrections m̂ = m / (1 - β1^t) and
                v̂ = v / (1 - β2^t), p -= learningRate * m̂ / (sqrt(v̂) + ε). Update `parameter`, `m`
                and `v` in place (m and v start at zeros).
                """,
            imports: ["Foundation"],
            declaration: """
                public func adamStep(
                    parameter: inout [Float], gradient: [Float], m: inout [Float], v: inout [Float], step: Int,
                    learningRate: Float, beta1: Float, beta2: Float, epsilon: Float
                ) throws {
                    throw ExerciseNotStarted("4.3")
                }
                """),
    ]

    static let convolution = [
        Exercise(
            id: "5.1", name: "Conv2dForward", title: "Conv2d forward through im2col",
            taughtIn: "Tutorials/05-Convolution/main.swift, sections 1 and 2, and Sources/Convolution/Im2col.swift",
            statement: """
                Input [N, C, H, W], weight [OC, C, kh, kw], bias [OC], all row-major arrays. Output
                [N, OC, oh, ow] with oh = (H + 2 ph - kh) / sh + 1 (ow likewise):
                out[n, o, y, x] = bias[o] + sum over c, i, j of weight[o, c, i, j] * in[n, c, y sh + i - ph,
                x sw + j - pw], reading 0 outside the input. Through im2col: copy each image's windows into
                a (C kh kw) x (oh ow) matrix, then one matrix product with the weight as OC x (C kh kw).
                """,
            imports: ["MatrixMath"],
            declaration: """
                public func conv2dForward(
                    input: [Float], inputShape: [Int], weight: [Float], weightShape: [Int], bias: [Float],
                    stride: (Int, Int), padding: (Int, Int)
                ) throws -> [Float] {
                    throw ExerciseNotStarted("5.1")
                }
                """),
        Exercise(
            id: "5.2", name: "Conv2dInputGradient", title: "Conv2d's input gradient",
            taughtIn: "Tutorials/05-Convolution/main.swift, section 2 (and Sources/Convolution/Conv2dFunction.swift)",
            statement: """
                For the convolution of 5.1, given dL/dout [N, OC, oh, ow], return dL/dinput [N, C, H, W].
                Every term weight[o, c, i, j] * in[n, c, iy, ix] of the forward sum sends
                gradient * weight[o, c, i, j] back to that input element; windows overlap (stride
                below the kernel), so add, and send nothing to the padding.
                """,
            imports: [],
            declaration: """
                public func conv2dInputGradient(
                    outputGradient: [Float], weight: [Float], weightShape: [Int], inputShape: [Int], stride: (Int, Int),
                    padding: (Int, Int)
                ) throws -> [Float] {
                    throw ExerciseNotStarted("5.2")
                }
                """),
        Exercise(
            id: "5.3", name: "Conv2dWeightGradient", title: "Conv2d's weight and bias gradients",
            taughtIn: "Tutorials/05-Convolution/main.swift, section 2 (and Sources/Convolution/Conv2dFunction.swift)",
            statement: """
                For the convolution of 5.1, given dL/dout [N, OC, oh, ow] and the input, return dL/dweight
                [OC, C, kh, kw] and dL/dbias [OC]. Each forward term sends gradient * input element to
                its weight; the bias receives every output gradient of its channel. Sum over the batch.
                """,
            imports: [],
            declaration: """
                public func conv2dWeightGradient(
                    outputGradient: [Float], input: [Float], inputShape: [Int], weightShape: [Int], stride: (Int, Int),
                    padding: (Int, Int)
                ) throws -> (weight: [Float], bias: [Float]) {
                    throw ExerciseNotStarted("5.3")
                }
                """),
        Exercise(
            id: "5.4", name: "MaxPool2dForward", title: "MaxPool2d forward",
            taughtIn:
                "Tutorials/05-Convolution/main.swift, section 3 (and Sources/Convolution/MaxPool2dFunction.swift)",
            statement: """
                Input [N, C, H, W]; output [N, C, (H - kh) / sh + 1, (W - kw) / sw + 1], each value the
                largest in its kh x kw window, the windows `stride` apart, every plane on its own.
                """,
            imports: [],
            declaration: """
                public func maxPool2dForward(input: [Float], inputShape: [Int], kernel: (Int, Int), stride: (Int, Int))
                    throws -> [Float]
                {
                    throw ExerciseNotStarted("5.4")
                }
                """),
        Exercise(
            id: "5.5", name: "MaxPool2dBackward", title: "MaxPool2d backward",
            taughtIn:
                "Tutorials/05-Convolution/main.swift, section 3 (and Sources/Convolution/MaxPool2dFunction.swift)",
            statement: """
                Given dL/dout of 5.4's pooling and its input, return dL/dinput [N, C, H, W]: each
                output's whole gradient goes to the one element of its window that was the maximum
                (on a tie, the first in row-major order, as PyTorch), the others get none from it;
                where windows overlap, an element collects from every window it won.
                """,
            imports: [],
            declaration: """
                public func maxPool2dBackward(
                    outputGradient: [Float], input: [Float], inputShape: [Int], kernel: (Int, Int), stride: (Int, Int)
                ) throws -> [Float] {
                    throw ExerciseNotStarted("5.5")
                }
                """),
    ]
}

extension ExerciseCatalogue {
    /// What a tutorial prints before its last line: its exercises, and how to grade them.
    ///
    /// ```swift
    /// print(ExerciseCatalogue.announcement(tutorial: 3))
    /// ```
    public static func announcement(tutorial: Int) -> String {
        let own = all.filter { $0.tutorial == tutorial }
        return
            (["Your turn: the exercises of this step, each one function to write in Tutorials/Exercises/:"]
            + own.map { "  \($0.id)  \($0.title)  (\($0.fileName))" }
            + [
                "Grade one with `swift run -c release exercise check \(own.first?.id ?? "ID")`: known answers, central "
                    + "differences,",
                "then the real thing with your code plugged in. `exercise list` shows them all.\n",
            ]).joined(separator: "\n")
    }
}
