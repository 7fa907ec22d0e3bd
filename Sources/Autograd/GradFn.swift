/// A node of the autograd graph: the operation that produced a tensor, the tensors it read, and
/// how to turn the gradient of its output into gradients of those inputs.
///
/// Walking `loss.gradFn`, then `nextFunctions`, retraces the computation backwards, as PyTorch's
/// `loss.grad_fn.next_functions` does. Names follow PyTorch (`AddmmBackward0`,
/// `LogSoftmaxBackward0`); a leaf tensor that requires a gradient appears as an `AccumulateGrad`
/// node, the place where its gradient is summed into `.grad`.
///
/// ```swift
/// print(loss.gradFn!)                       // <NllLossBackward0>
/// print(loss.gradFn!.nextFunctions[0])      // (function: Optional(<LogSoftmaxBackward0>), index: 0)
/// ```
public final class GradFn: CustomStringConvertible {
    /// The operation's name, PyTorch-style.
    public let name: String
    /// The tensors the operation read, in argument order.
    public let inputs: [Tensor]
    /// For an `AccumulateGrad` node: the leaf tensor whose `.grad` it fills.
    public let variable: Tensor?
    /// Maps the output's gradient to one gradient per input (nil where `needsGradient` is false).
    /// Set to nil once `backward()` has used it (unless told to retain the graph), which frees the
    /// values it saved from the forward pass, as PyTorch frees its saved tensors.
    private(set) var backward: ((consuming [Float], _ needsGradient: [Bool]) -> [[Float]?])?

    /// True once the saved values are gone: a second `backward()` through this node is an error.
    public var isReleased: Bool { backward == nil && name != "AccumulateGrad" }

    /// Frees the saved values (the closure and what it captured).
    func release() {
        if name != "AccumulateGrad" { backward = nil }
    }

    init(name: String, inputs: [Tensor], backward: @escaping (consuming [Float], [Bool]) -> [[Float]?]) {
        self.name = name
        self.inputs = inputs
        self.variable = nil
        self.backward = backward
    }

    private init(accumulatingInto leaf: Tensor) {
        name = "AccumulateGrad"
        inputs = []
        variable = leaf
        backward = { _, _ in [] }
    }

    /// Runs this node's backward on `gradient` = d(final)/d(output): one gradient per input, nil
    /// for an input that needs none, as calling PyTorch's `grad_fn(gradient)` does. `backward()`
    /// does this at every node; exercise 3.6 does it by hand.
    ///
    /// ```swift
    /// let y = x * w                                 // MulBackward0
    /// let (dx, dw) = (y.gradFn!.apply(ones)[0], y.gradFn!.apply(ones)[1])
    /// ```
    public func apply(_ gradient: [Float]) -> [[Float]?] {
        guard let backward else {
            preconditionFailure("\(name).apply: the values saved for backward were freed by an earlier backward()")
        }
        return backward(gradient, inputs.map(\.requiresGrad))
    }

    /// The nodes that produced this node's inputs, in the operation's argument order, as PyTorch's
    /// `next_functions`: (an operation's `gradFn`, `AccumulateGrad` for a leaf that requires a
    /// gradient, nil for a constant; the index of that node's output the input is, always 0 here,
    /// where every operation has one differentiable output).
    public var nextFunctions: [(function: GradFn?, index: Int)] {
        inputs.map { input in
            if let node = input.gradFn { return (node, 0) }
            return (input.requiresGrad ? GradFn(accumulatingInto: input) : nil, 0)
        }
    }

    public var description: String { "<\(name)>" }
}
