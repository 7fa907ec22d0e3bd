import MatrixMath
import Parallel
import Random

/// An n-dimensional array of `Float` that can remember how it was computed, so that gradients can
/// flow back through it: the central type of the framework, as `torch.Tensor`.
///
/// A tensor holds its `shape` and its values in one contiguous row-major array (`data`): the last
/// dimension varies fastest, so a [2, 3] tensor stores row 0 then row 1. When created with
/// `requiresGrad: true` (a leaf, such as a weight), every operation on it records a `gradFn` node;
/// `backward()` on a scalar result then walks those nodes in reverse and sums d(result)/d(leaf)
/// into each leaf's `grad`.
///
/// `Tensor` is a class, as in PyTorch: `grad` is filled in on the very object the model holds.
///
/// ## Shape
/// `shape` lists the size of each dimension, outermost first: [batch, channels, height, width] for
/// images (NCHW). A scalar has shape [].
///
/// ```swift
/// let w = Tensor([[1, 2], [3, 4]], requiresGrad: true)
/// let loss = (w * w).sum()
/// loss.backward()
/// w.grad!     // tensor([[2, 4], [6, 8]]): d(sum w^2)/dw = 2w
/// ```
open class Tensor {
    /// Sizes of the dimensions, outermost first.
    public let shape: [Int]
    /// The values, row-major. Writing to it changes the tensor in place (as PyTorch's `.data`):
    /// optimisers do, between steps; doing it between a forward pass and its `backward()` would
    /// make the gradient wrong.
    ///
    /// A few results are computed only when first read: `relu()`'s (see `DeferredReLU`: max
    /// pooling takes them straight from the input) and `lazilyTransposed()`'s, the `W.t()` that
    /// `linear` records in its graph, which its own product never needs as an array. That first
    /// read stores the values, so a tensor, like any class instance that is not `Sendable`, must
    /// not be read from two threads at once.
    public var data: [Float] {
        get {
            if let pendingValues { materialize(pendingValues) }
            return storage
        }
        set {
            precondition(
                newValue.count == count, "Tensor.data: \(newValue.count) values for shape \(shape) (needs \(count))")
            pendingValues = nil
            deferredReLU = nil
            storage = newValue
        }
        _modify {
            if let pendingValues { materialize(pendingValues) }
            yield &storage
            precondition(
                storage.count == count, "Tensor.data: \(storage.count) values for shape \(shape) (needs \(count))")
        }
    }
    /// The values once computed.
    private var storage: [Float]
    /// How to compute the values of a tensor created by `init(shape:computingValuesOnFirstRead:)`,
    /// until something reads them.
    private var pendingValues: (() -> [Float])?
    /// For a `relu()` result whose values nothing has read yet: the input they come from, so that
    /// an operation that can rectify values as it reads them (`maxPool2d`) never makes the array.
    /// Nil once the values exist.
    package private(set) var deferredReLU: DeferredReLU?
    /// Whether gradients are computed for this tensor.
    public var requiresGrad: Bool
    /// The accumulated gradient d(output)/d(self) of every `backward()` so far, for leaves that
    /// require a gradient; nil until the first one (and after `zeroGrad`).
    public var grad: Tensor?
    /// The operation that produced this tensor, nil for a leaf or when gradients were off.
    public internal(set) var gradFn: GradFn?

    /// A tensor of the given shape over row-major values.
    public init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(
            shape.reduce(1, *) == data.count,
            "Tensor: \(data.count) values cannot fill shape \(shape) (needs \(shape.reduce(1, *)))")
        self.shape = shape
        self.storage = data
        self.count = data.count
        self.requiresGrad = requiresGrad
    }

    /// A tensor whose values `compute` makes when they are first read (see `data`), from tensors
    /// it holds, at that time.
    init(shape: [Int], computingValuesOnFirstRead compute: @escaping () -> [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.shape = shape
        self.storage = []
        self.count = shape.reduce(1, *)
        self.requiresGrad = false
        self.pendingValues = compute
    }

    /// The result of `relu()`: values made from `relu`'s input when first read.
    convenience init(shape: [Int], deferring relu: DeferredReLU) {
        self.init(shape: shape, computingValuesOnFirstRead: relu.values)
        deferredReLU = relu
    }

    private func materialize(_ compute: () -> [Float]) {
        let values = compute()
        precondition(
            values.count == count, "Tensor: \(values.count) values computed for shape \(shape) (needs \(count))")
        storage = values
        pendingValues = nil
        deferredReLU = nil
    }

    /// A scalar (shape []).
    public convenience init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], data: [value], requiresGrad: requiresGrad)
    }

    /// A vector (shape [n]).
    public convenience init(_ values: [Float], requiresGrad: Bool = false) {
        self.init(shape: [values.count], data: values, requiresGrad: requiresGrad)
    }

    /// A matrix (shape [rows, columns]) from its rows.
    public convenience init(_ rows: [[Float]], requiresGrad: Bool = false) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "Tensor: rows of different lengths \(rows.map(\.count))")
        self.init(shape: [rows.count, width], data: Array(rows.joined()), requiresGrad: requiresGrad)
    }

    /// A [rows, columns] tensor holding a `Matrix`'s values.
    public convenience init(_ matrix: Matrix, requiresGrad: Bool = false) {
        self.init(shape: [matrix.rows, matrix.columns], data: matrix.storage, requiresGrad: requiresGrad)
    }

    /// Number of elements.
    public let count: Int

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The value of a one-element tensor (PyTorch's `.item()`).
    public var item: Float {
        precondition(count == 1, "Tensor.item: only a one-element tensor has an item; this one has shape \(shape)")
        return data[0]
    }

    /// The element at a full index, one number per dimension.
    public subscript(indices: Int...) -> Float {
        precondition(indices.count == rank, "Tensor subscript: \(indices.count) indices for a tensor of shape \(shape)")
        var offset = 0
        for (dimension, index) in indices.enumerated() {
            precondition(
                index >= 0 && index < shape[dimension],
                "Tensor subscript: index \(index) out of range for dimension \(dimension) of shape \(shape)")
            offset = offset * shape[dimension] + index
        }
        return data[offset]
    }

    /// A [rows, columns] tensor as a `Matrix`.
    public var matrix: Matrix {
        precondition(rank == 2, "Tensor.matrix: needs a 2-D tensor, this one has shape \(shape)")
        return Matrix(rows: shape[0], columns: shape[1], storage: data)
    }

    /// The same values, cut off from the graph and not requiring a gradient (`.detach()`).
    public func detached() -> Tensor {
        Tensor(shape: shape, data: data)
    }

    /// Is this a leaf: made directly, not computed by a recorded operation?
    public var isLeaf: Bool { gradFn == nil }

    // MARK: Factories

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, data: [Float](repeating: 1, count: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    /// Standard normal values from the default generator (`torch.randn`).
    public static func randn(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        let values = DefaultGenerator.withGenerator { generator in
            (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() }
        }
        return Tensor(shape: shape, data: values, requiresGrad: requiresGrad)
    }

    /// Uniform values in `range` from the default generator (`torch.rand` scaled).
    public static func uniform(_ shape: [Int], in range: Range<Float>, requiresGrad: Bool = false) -> Tensor {
        let width = range.upperBound - range.lowerBound
        let values = DefaultGenerator.withGenerator { generator in
            (0..<shape.reduce(1, *)).map { _ in range.lowerBound + width * generator.nextFloat() }
        }
        return Tensor(shape: shape, data: values, requiresGrad: requiresGrad)
    }
}

extension Tensor {
    /// Makes the result of a differentiable operation: its value, and, when gradients are being
    /// recorded and some input requires one, the graph node with its backward function.
    ///
    /// Every operation in the framework is written with this: compute the forward value, then
    /// state right beside it how the output's gradient becomes each input's gradient. `backward`
    /// receives the output's gradient (row-major, same shape as the output) and which inputs need
    /// a gradient, and returns one gradient per input (same shape as that input), or nil for an
    /// input that needs none. The gradient is handed over (`consuming`): an elementwise backward
    /// may overwrite it and return it (`var dx = consume gradient`), and copy-on-write copies it
    /// first whenever someone else still holds the array.
    ///
    /// ```swift
    /// // y = 2x
    /// Tensor.result(shape: x.shape, data: x.data.map { 2 * $0 }, inputs: [x], name: "MulBackward0") {
    ///     gradient, _ in [gradient.map { 2 * $0 }]
    /// }
    /// ```
    public static func result(
        shape: [Int], data: [Float], inputs: [Tensor], name: String,
        backward: @escaping (_ gradient: consuming [Float], _ needsGradient: [Bool]) -> [[Float]?]
    ) -> Tensor {
        AllocatorTuning.apply()  // every step's arrays reuse the last step's memory (see AllocatorTuning)
        return recording(Tensor(shape: shape, data: data), inputs: inputs, name: name, backward: backward)
    }

    /// `output`, with the node that made it recorded as `result` records it (for an output whose
    /// values are not an array yet, `init(shape:computingValuesOnFirstRead:)`).
    static func recording(
        _ output: Tensor, inputs: [Tensor], name: String,
        backward: @escaping (_ gradient: consuming [Float], _ needsGradient: [Bool]) -> [[Float]?]
    ) -> Tensor {
        if GradMode.isEnabled && inputs.contains(where: \.requiresGrad) {
            output.requiresGrad = true
            output.gradFn = GradFn(name: name, inputs: inputs, backward: backward)
        }
        return output
    }

    /// `result` for a layer's operation whose last input, the bias, is optional (`Linear`,
    /// `Conv2d`): `backward` always sees one `needsGradient` entry per input plus one for the bias
    /// (false when there is none) and returns a gradient for each, the bias's last; when there is
    /// no bias, that last slot is dropped here, so the operation itself never counts its inputs.
    ///
    /// ```swift
    /// Tensor.result(shape: [n, out], data: y, inputs: [x, weight], bias: bias, name: "AddmmBackward0") {
    ///     gradient, needs in [dx, dw, needs[2] ? db : nil]
    /// }
    /// ```
    public static func result(
        shape: [Int], data: [Float], inputs: [Tensor], bias: Tensor?, name: String,
        backward: @escaping (_ gradient: consuming [Float], _ needsGradient: [Bool]) -> [[Float]?]
    ) -> Tensor {
        guard let bias else {
            return result(shape: shape, data: data, inputs: inputs, name: name) { gradient, needs in
                Array(backward(gradient, needs + [false]).prefix(inputs.count))
            }
        }
        return result(shape: shape, data: data, inputs: inputs + [bias], name: name, backward: backward)
    }

    /// The shape as text for messages: `[64, 1, 28, 28]`.
    public var shapeText: String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}
