import Autograd
import MatrixMath
import NeuralNetwork

/// The base of every optimiser: it holds the parameters to update and the learning rate, clears
/// their gradients, and applies one update per `step()` (PyTorch's `torch.optim.Optimizer`).
///
/// A training step is always the same four lines:
///
/// ```swift
/// optimizer.zeroGrad()
/// let loss = crossEntropy(model(x), labels: y)
/// loss.backward()
/// optimizer.step()
/// ```
open class Optimizer {
    public let parameters: [Parameter]
    /// The step size; schedulers such as `StepLR` change it between epochs.
    public var learningRate: Float
    /// How many steps have been taken.
    public internal(set) var stepCount = 0

    public init(parameters: [Parameter], learningRate: Float) {
        precondition(!parameters.isEmpty, "\(Self.self): no parameters to optimise")
        precondition(learningRate >= 0, "\(Self.self): learning rate must not be negative, got \(learningRate)")
        self.parameters = parameters
        self.learningRate = learningRate
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }

    /// Updates every parameter that has a gradient.
    public func step() {
        stepCount += 1
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            update(parameter: index, values: &parameter.data, gradient: gradient.data)
        }
    }

    /// The update rule for one parameter: change `values` given its `gradient`. Subclasses
    /// override it; per-parameter state is indexed by `parameter`, its position in `parameters`.
    open func update(parameter: Int, values: inout [Float], gradient: [Float]) {
        preconditionFailure("\(type(of: self)) must override update(parameter:values:gradient:)")
    }

    /// The optimiser's internal state (moments, velocities) by name, to save in a checkpoint.
    open func stateTensors() -> [(name: String, values: [Float])] { [] }

    /// Restores what `stateTensors()` returned.
    open func loadStateTensors(_ state: [(name: String, values: [Float])]) throws {}
}

/// Per-parameter buffers (one array of the parameter's size each), created as zeros on first use.
struct ParameterBuffers {
    private(set) var buffers: [[Float]?]

    init(count: Int) { buffers = [[Float]?](repeating: nil, count: count) }

    /// Runs `body` on buffer `index`, creating it with `size` zeros first if needed.
    mutating func with<Result>(_ index: Int, size: Int, _ body: (inout [Float]) -> Result) -> Result {
        if buffers[index] == nil { buffers[index] = [Float](repeating: 0, count: size) }
        return body(&buffers[index]!)
    }

    func named(_ prefix: String) -> [(name: String, values: [Float])] {
        buffers.enumerated().compactMap { index, buffer in buffer.map { ("\(prefix).\(index)", $0) } }
    }

    mutating func load(_ prefix: String, from state: [(name: String, values: [Float])], sizes: [Int]) throws {
        for (name, values) in state where name.hasPrefix(prefix + ".") {
            guard let index = Int(name.dropFirst(prefix.count + 1)), index >= 0, index < buffers.count else {
                throw OptimizerStateError(reason: "state '\(name)' names no parameter")
            }
            guard values.count == sizes[index] else {
                throw OptimizerStateError(reason: "state '\(name)' has \(values.count) values, parameter \(index) has \(sizes[index])")
            }
            buffers[index] = values
        }
    }
}

/// Runs an elementwise update over a parameter, its gradient and up to two state buffers, on raw
/// pointers (no bounds checks, so the loop vectorises) and, for large parameters, on all cores.
/// `body` receives the four base pointers and the range of indices to update; state buffers that
/// an optimiser does not use may be empty.
func forEachElement(_ values: inout [Float], _ gradient: [Float], _ first: inout [Float], _ second: inout [Float],
                    _ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                             UnsafeMutablePointer<Float>, Range<Int>) -> Void) {
    let count = values.count
    values.withUnsafeMutableBufferPointer { p in
        gradient.withUnsafeBufferPointer { g in
            first.withUnsafeMutableBufferPointer { a in
                second.withUnsafeMutableBufferPointer { b in
                    guard let pBase = p.baseAddress, let gBase = g.baseAddress else { return }
                    // Empty state buffers have no address; they are never indexed, any address will do.
                    let aBase = a.baseAddress ?? pBase, bBase = b.baseAddress ?? pBase
                    parallelFor(count, minimumPerThread: 1 << 16) { range in body(pBase, gBase, aBase, bBase, range) }
                }
            }
        }
    }
}

/// Optimiser state that does not fit the parameters.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "optimizer state: \(reason)" }
}
