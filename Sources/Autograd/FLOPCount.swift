import Parallel

/// Counts the floating-point operations of the matrix products and convolutions that run inside a
/// closure: what the forward pass computed, and what the backward pass will compute for the
/// tensors that need a gradient. A multiply-add is 2 FLOPs, as in every GFLOP/s figure here and
/// as PyTorch's `FlopCounterMode` counts them; the elementwise operations (ReLU, pooling, the
/// softmax), a few percent of a network's work, are not counted.
///
/// A training epoch's effective GFLOP/s is then (forward + backward FLOPs per image) x images /
/// seconds: how much of the machine's peak (`FMAPeak`) the whole training step turns into
/// arithmetic.
///
/// ```swift
/// let count = FLOPCount.measure { model(Tensor.zeros([1, 1, 28, 28])) }
/// count.forward     // 3.2e6 for convnet (per image)
/// count.backward    // 6.4e6: the input and weight gradients of each layer
/// ```
public enum FLOPCount {
    /// The running count of the `measure` call this task is inside, if any: task-local, so
    /// measurements running at the same time (tests in parallel) never count each other's work.
    @TaskLocal private static var tally: Tally?

    /// Runs `body` and returns the FLOPs its products and convolutions did forward and will do
    /// backward.
    public static func measure(_ body: () throws -> Void) rethrows -> (forward: Double, backward: Double) {
        let tally = Tally()
        try $tally.withValue(tally) { try body() }
        return tally.value.withLock { $0 }
    }

    /// Called by an operation: a product of m x k by k x n, 2 m n k FLOPs forward, and as many
    /// backward for each of its two operands that will get a gradient (`needs`: whether each
    /// requires one; none is computed when gradients are off). Outside `measure` it returns at once.
    @inline(__always)
    public static func recordProduct(m: Int, n: Int, k: Int, needs: (Bool, Bool)) {
        guard let tally else { return }
        let gradients = GradMode.isEnabled ? (needs.0 ? 1 : 0) + (needs.1 ? 1 : 0) : 0
        let flops = 2 * Double(m) * Double(n) * Double(k)
        tally.value.withLock { count in
            count.forward += flops
            count.backward += Double(gradients) * flops
        }
    }

    /// One measurement's running count.
    private final class Tally: Sendable {
        let value = LockedValue<(forward: Double, backward: Double)>((0, 0))
    }
}
