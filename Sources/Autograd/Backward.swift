/// Reverse-mode automatic differentiation.
///
/// The forward pass left a graph: every computed tensor knows its `gradFn`, which knows its input
/// tensors. `backward()` visits that graph from the output back to the leaves in *reverse
/// topological order*, so a tensor's gradient is complete (every use of it has sent its
/// contribution) before it is passed further back. At each node the chain rule turns
/// d(output)/d(node) into d(output)/d(input) for each input; contributions to the same tensor
/// from different uses are added. Leaves that require a gradient receive the sum in `.grad`,
/// added to what was there (gradients accumulate, as in PyTorch, until `zeroGrad`).
extension Tensor {
    /// Computes d(self)/d(leaf) for every leaf that requires a gradient and adds it to `leaf.grad`.
    ///
    /// The values each operation saved for its backward pass (its inputs, a convolution's
    /// windows) are freed as soon as that node has run, as in PyTorch; running `backward()` through
    /// the same graph again then stops with PyTorch's explanation, unless the first call kept them
    /// with `retainGraph: true`.
    ///
    /// - Parameters:
    ///   - gradient: d(final)/d(self), needed when `self` is not a scalar (for a scalar the seed
    ///     is 1: d(self)/d(self)).
    ///   - retainGraph: keep the saved values, so that the graph can be walked again.
    ///   - trace: called at every node, in the order the walk runs them, with what the node
    ///     received and sent (tutorial 03 prints it to follow the walk).
    public func backward(
        _ gradient: Tensor? = nil, retainGraph: Bool = false, trace: ((BackwardStep) -> Void)? = nil
    ) {
        precondition(
            requiresGrad,
            "backward: this tensor does not require a gradient and has no gradFn (was it computed inside withNoGrad, or from tensors without requiresGrad?)"
        )
        let seed: [Float]
        if let gradient {
            precondition(
                gradient.shape == shape,
                "backward: gradient of shape \(gradient.shapeText) for a tensor of shape \(shapeText)")
            seed = gradient.data
        } else {
            precondition(
                count == 1,
                "backward: a gradient can be created implicitly only for a scalar output; this tensor has shape \(shapeText). Pass backward(gradient) or reduce it (sum, mean) first"
            )
            seed = [1]
        }
        guard gradFn != nil else {
            accumulateGradient(seed)  // backward() on a leaf: d(self)/d(self)
            return
        }

        var pending: [ObjectIdentifier: [Float]] = [ObjectIdentifier(self): seed]
        for node in topologicalOrder().reversed() {
            guard let outputGradient = pending.removeValue(forKey: ObjectIdentifier(node)),
                let function = node.gradFn
            else { continue }
            guard let nodeBackward = function.backward else {
                preconditionFailure(
                    "backward: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). "
                        + "Saved intermediate values of the graph are freed when you call backward(). "
                        + "Specify retainGraph: true if you need to backward through the graph a second time (at \(function.name))"
                )
            }
            let needs = function.inputs.map(\.requiresGrad)
            // The node receives its gradient by ownership: nothing else holds the array (unless a
            // trace keeps it to report), so an elementwise backward such as ReLU's may overwrite
            // it in place instead of allocating another of the same size.
            let received = trace == nil ? [] : outputGradient
            let inputGradients = nodeBackward(consume outputGradient, needs)
            if !retainGraph { function.release() }
            if let trace {
                let sent = function.inputs.indices.compactMap { index -> (input: Int, to: String, gradient: [Float])? in
                    guard needs[index], let gradient = inputGradients[index] else { return nil }
                    return (index, function.inputs[index].gradFn?.name ?? "AccumulateGrad", gradient)
                }
                trace(BackwardStep(node: function, received: received, sent: sent))
            }
            for (index, input) in function.inputs.enumerated() where needs[index] {
                guard let contribution = inputGradients[index] else { continue }
                precondition(
                    contribution.count == input.count,
                    "\(function.name): backward returned \(contribution.count) gradient values for an input of shape \(input.shapeText)"
                )
                if input.gradFn == nil {
                    input.accumulateGradient(contribution)
                } else if var sum = pending[ObjectIdentifier(input)] {
                    // A tensor used twice: add the second use's contribution.
                    add(contribution, into: &sum)
                    pending[ObjectIdentifier(input)] = sum
                } else {
                    pending[ObjectIdentifier(input)] = contribution
                }
            }
        }
    }

    /// Every computed tensor that `self` depends on, each after all the tensors it was computed
    /// from (a depth-first post-order, iterative so a deep graph cannot overflow the stack); with
    /// `includingLeaves`, the inputs and leaves too (the SVG drawing places every tensor).
    public func topologicalOrder(includingLeaves: Bool = false) -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(tensor: Tensor, expanded: Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded {
                order.append(tensor)
                continue
            }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            guard let function = tensor.gradFn else {
                if includingLeaves { order.append(tensor) }
                continue
            }
            stack.append((tensor, true))
            for input in function.inputs.reversed() where includingLeaves || input.gradFn != nil {
                stack.append((input, false))
            }
        }
        return order
    }

    /// Adds `values` to `grad`, creating it on first use.
    func accumulateGradient(_ values: [Float]) {
        if let existing = grad {
            add(values, into: &existing.data)
        } else {
            grad = Tensor(shape: shape, data: values)
        }
    }

    /// Sets `grad` to nil (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        grad = nil
    }
}

/// One node's turn in `backward()`: the gradient it received (d(final)/d(its output), summed
/// over every use of that output) and what it sent to each input that needs a gradient (to the
/// input's own node, or to `AccumulateGrad` for a leaf, which adds it into `.grad`).
public struct BackwardStep {
    public let node: GradFn
    public let received: [Float]
    public let sent: [(input: Int, to: String, gradient: [Float])]
}

/// sum[i] += values[i]
@inline(__always)
func add(_ values: [Float], into sum: inout [Float]) {
    values.withUnsafeBufferPointer { source in
        sum.withUnsafeMutableBufferPointer { target in
            for index in 0..<target.count { target[index] += source[index] }
        }
    }
}
