import MatrixMath
import Random

/// Checks analytic gradients against numeric ones: the test every differentiable operation and
/// layer in this project must pass (PyTorch's `torch.autograd.gradcheck`).
///
/// For a function f of some input tensors, it reduces the output to a scalar with fixed random
/// weights, L = sum_k w_k f(x)_k (so every output element matters, each differently), runs
/// `backward()` to get dL/dx, and compares every entry with the central difference
///
///     (L(x + h e_i) - L(x - h e_i)) / 2h,
///
/// whose error is of order h^2. An entry passes when |analytic - numeric| <= atol + rtol * |numeric|.
/// A wrong factor of 2, a missing term or a transposed index fails by far more than that.
///
/// ```swift
/// let x = Tensor.randn([3, 4], requiresGrad: true)
/// let result = gradcheck([x]) { inputs in inputs[0].tanh() }
/// #expect(result.passed, "\(result)")
/// ```
public struct GradcheckResult: CustomStringConvertible, Sendable {
    /// One disagreeing entry.
    public struct Mismatch: Sendable, CustomStringConvertible {
        public let argument: Int
        /// The entry's offset in the argument's data, and its position in the argument's shape.
        public let index: Int
        public let position: [Int]
        /// What backward() gave, and the central difference it should have matched.
        public let analytic: Float
        public let numeric: Float
        public var description: String {
            "argument \(argument), entry \(position): expected (numeric) \(numeric), actual (analytic) \(analytic)"
        }
    }

    public let mismatches: [Mismatch]
    /// How many entries were compared.
    public let checked: Int
    /// The largest |analytic - numeric| seen.
    public let largestError: Float

    public var passed: Bool { mismatches.isEmpty && checked > 0 }

    public var description: String {
        if passed { return "gradcheck passed: \(checked) entries, largest error \(largestError)" }
        if checked == 0 { return "gradcheck checked nothing: no input requires a gradient" }
        return "gradcheck failed on \(mismatches.count) of \(checked) entries:\n  "
            + mismatches.prefix(10).map(\.description).joined(separator: "\n  ")
    }
}

/// - Parameters:
///   - inputs: the arguments; those with `requiresGrad` are checked.
///   - step: h of the central difference.
///   - absoluteTolerance, relativeTolerance: how close analytic and numeric must be.
///   - samplesPerArgument: check only this many entries of each argument, chosen at random (seeded),
///     for models too large to check entry by entry; nil checks every entry.
///   - function: the computation, from the inputs to any tensor.
public func gradcheck(
    _ inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Float = 1e-3,
    relativeTolerance: Float = 1e-2, seed: UInt64 = 7, samplesPerArgument: Int? = nil,
    _ function: ([Tensor]) -> Tensor
) -> GradcheckResult {
    // Fixed random weights for the output, in [0.5, 1.5) with random sign: no entry cancels.
    let firstOutput = withNoGrad { function(inputs) }
    // A generator of its own, so a gradcheck never moves the default generator's stream.
    var generator = SeededGenerator(seed: seed)
    let weights = (0..<firstOutput.count).map { _ -> Float in
        let magnitude = 0.5 + generator.nextFloat()
        return generator.next() & 1 == 0 ? magnitude : -magnitude
    }
    let weightTensor = Tensor(shape: firstOutput.shape, data: weights)

    func scalar() -> Double {
        let output = withNoGrad { function(inputs) }
        var total = 0.0
        for (value, weight) in zip(output.data, weights) { total += Double(value) * Double(weight) }
        return total
    }

    for input in inputs { input.zeroGrad() }
    let output = function(inputs)
    if output.requiresGrad {
        (output * weightTensor).sum().backward()
    }

    var mismatches: [GradcheckResult.Mismatch] = []
    var checked = 0
    var largest: Float = 0
    for (argument, input) in inputs.enumerated() where input.requiresGrad {
        let analytic = input.grad?.data ?? [Float](repeating: 0, count: input.count)
        var indices = Array(0..<input.count)
        if let samples = samplesPerArgument, samples < input.count {
            indices = (0..<samples).map { _ in Int(generator.next() % UInt64(input.count)) }
        }
        for index in indices {
            let original = input.data[index]
            input.data[index] = original + step
            let plus = scalar()
            input.data[index] = original - step
            let minus = scalar()
            input.data[index] = original
            let numeric = Float((plus - minus) / (2 * Double(step)))
            let error = Swift.abs(analytic[index] - numeric)
            largest = Swift.max(largest, error)
            checked += 1
            if error > absoluteTolerance + relativeTolerance * Swift.abs(numeric) {
                mismatches.append(
                    .init(
                        argument: argument, index: index, position: position(of: index, in: input.shape),
                        analytic: analytic[index], numeric: numeric))
            }
        }
        input.zeroGrad()
    }
    return GradcheckResult(mismatches: mismatches, checked: checked, largestError: largest)
}

/// The multi-index of a row-major offset: offset 5 of shape [2, 3] is [1, 2].
func position(of offset: Int, in shape: [Int]) -> [Int] {
    var remainder = offset
    var result = [Int](repeating: 0, count: shape.count)
    for dimension in shape.indices.reversed() where shape[dimension] > 0 {
        result[dimension] = remainder % shape[dimension]
        remainder /= shape[dimension]
    }
    return result
}
