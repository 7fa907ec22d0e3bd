import Autograd
import Files
import NeuralNetwork
import Parallel

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

    /// Restores the buffers named `prefix.N` in `state`; on any error nothing changes.
    mutating func load(_ prefix: String, from state: [(name: String, values: [Float])], sizes: [Int]) throws {
        var buffers = self.buffers
        for (name, values) in state where name.hasPrefix(prefix + ".") {
            guard let index = Int(name.dropFirst(prefix.count + 1)), index >= 0, index < buffers.count else {
                throw OptimizerStateError(reason: "state '\(printable(name))' names no parameter")
            }
            guard values.count == sizes[index] else {
                throw OptimizerStateError(
                    reason: "state '\(name)' has \(values.count) values, parameter \(index) has \(sizes[index])")
            }
            guard values.allSatisfy(\.isFinite) else {
                throw OptimizerStateError(reason: "state '\(name)' holds NaN or infinite values")
            }
            buffers[index] = values
        }
        self.buffers = buffers
    }
}

/// Runs an elementwise update over a parameter, its gradient and up to two state buffers, eight
/// elements at a time in SIMD registers and, for large parameters, on all cores.
///
/// `update` receives the parameter values, the gradient and the two state values of eight
/// consecutive elements and changes them in place; the formula is written once, for SIMD8, and a
/// last partial group is padded with zeros (and only its real lanes written back). State buffers
/// an optimiser does not use may be empty: their lanes read as zeros and are not written.
func forEachElement(
    _ values: inout [Float], _ gradient: [Float], _ first: inout [Float], _ second: inout [Float],
    _ update: (inout SIMD8<Float>, SIMD8<Float>, inout SIMD8<Float>, inout SIMD8<Float>) -> Void
) {
    let count = values.count
    let hasFirst = !first.isEmpty, hasSecond = !second.isEmpty
    values.withUnsafeMutableBufferPointer { p in
        gradient.withUnsafeBufferPointer { g in
            first.withUnsafeMutableBufferPointer { a in
                second.withUnsafeMutableBufferPointer { b in
                    guard let pBase = p.baseAddress, let gBase = g.baseAddress else { return }
                    let aBase = a.baseAddress, bBase = b.baseAddress
                    // Ranges start at multiples of 8 so that only the very last group is partial.
                    let groups = (count + 7) / 8
                    parallelFor(groups, minimumPerThread: 1 << 13) { range in
                        for group in range {
                            let start = group * 8, lanes = Swift.min(8, count - start)
                            var pv = load(pBase + start, lanes)
                            let gv = load(gBase + start, lanes)
                            var av = hasFirst ? load(aBase! + start, lanes) : SIMD8<Float>()
                            var bv = hasSecond ? load(bBase! + start, lanes) : SIMD8<Float>()
                            update(&pv, gv, &av, &bv)
                            store(pv, pBase + start, lanes)
                            if hasFirst { store(av, aBase! + start, lanes) }
                            if hasSecond { store(bv, bBase! + start, lanes) }
                        }
                    }
                }
            }
        }
    }
}

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>, _ lanes: Int) -> SIMD8<Float> {
    if lanes == 8 { return UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self) }
    var vector = SIMD8<Float>()
    for lane in 0..<lanes { vector[lane] = pointer[lane] }
    return vector
}

@inline(__always)
private func load(_ pointer: UnsafeMutablePointer<Float>, _ lanes: Int) -> SIMD8<Float> {
    load(UnsafePointer(pointer), lanes)
}

@inline(__always)
private func store(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, _ lanes: Int) {
    if lanes == 8 {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
    } else {
        for lane in 0..<lanes { pointer[lane] = vector[lane] }
    }
}

/// Optimiser state that does not fit the parameters.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "optimizer state: \(reason)" }
}
