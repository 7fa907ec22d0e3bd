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
/// print(loss.gradFn!.nextFunctions)         // [Optional(<LogSoftmaxBackward0>)]
/// ```
public final class GradFn: CustomStringConvertible {
    /// The operation's name, PyTorch-style.
    public let name: String
    /// The tensors the operation read, in argument order.
    public let inputs: [Tensor]
    /// For an `AccumulateGrad` node: the leaf tensor whose `.grad` it fills.
    public let variable: Tensor?
    /// Maps the output's gradient to one gradient per input (nil where `needsGradient` is false).
    let backward: ([Float], _ needsGradient: [Bool]) -> [[Float]?]

    init(name: String, inputs: [Tensor], backward: @escaping ([Float], [Bool]) -> [[Float]?]) {
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

    /// The nodes that produced this node's inputs: an operation's `gradFn`, `AccumulateGrad` for a
    /// leaf that requires a gradient, nil for a constant.
    public var nextFunctions: [GradFn?] {
        inputs.map { input in
            if let node = input.gradFn { return node }
            return input.requiresGrad ? GradFn(accumulatingInto: input) : nil
        }
    }

    public var description: String { "<\(name)>" }
}
