import MatrixMath
import Parallel

/// Elementwise `+ - * /` between tensors (with broadcasting) and with scalars, and negation.
///
///     (a + b)' : da = g,        db = g
///     (a - b)' : da = g,        db = -g
///     (a * b)' : da = g * b,    db = g * a
///     (a / b)' : da = g / b,    db = -g * a / b^2
///
/// each summed back to the input's shape when that input was broadcast.
///
/// ## Shape
/// - a, b: any shapes that broadcast (see `Broadcasting`) -> the broadcast shape
///
/// ```swift
/// let x = Tensor([[1, 2], [3, 4]])
/// let b = Tensor([10, 20] as [Float])
/// x + b        // tensor([[11, 22], [13, 24]])
/// ```
extension Tensor {
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        binary(
            lhs, rhs, "add", "AddBackward0", { $0 + $1 },
            left: { g, _, _ in g }, right: { g, _, _ in g })
    }

    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        binary(
            lhs, rhs, "sub", "SubBackward0", { $0 - $1 },
            left: { g, _, _ in g }, right: { g, _, _ in -g })
    }

    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        binary(
            lhs, rhs, "mul", "MulBackward0", { $0 * $1 },
            left: { g, _, b in g * b }, right: { g, a, _ in g * a })
    }

    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        binary(
            lhs, rhs, "div", "DivBackward0", { $0 / $1 },
            left: { g, _, b in g / b }, right: { g, a, b in -g * a / (b * b) })
    }

    public static prefix func - (operand: Tensor) -> Tensor {
        operand.elementwise("NegBackward0", { -$0 }, derivative: { _, _ in -1 })
    }

    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.elementwise("AddBackward0", { $0 + rhs }, scalar: rhs, derivative: { _, _ in 1 })
    }

    public static func - (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.elementwise("SubBackward0", { $0 - rhs }, scalar: rhs, derivative: { _, _ in 1 })
    }

    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.elementwise("MulBackward0", { $0 * rhs }, scalar: rhs, derivative: { _, _ in rhs })
    }

    public static func / (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.elementwise("DivBackward0", { $0 / rhs }, scalar: rhs, derivative: { _, _ in 1 / rhs })
    }

    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }
    public static func - (lhs: Float, rhs: Tensor) -> Tensor {
        rhs.elementwise("RsubBackward1", { lhs - $0 }, derivative: { _, _ in -1 })
    }
    public static func / (lhs: Float, rhs: Tensor) -> Tensor {
        rhs.elementwise("DivBackward0", { lhs / $0 }, derivative: { x, _ in -lhs / (x * x) })
    }

    /// An elementwise binary operation with broadcasting. `left` and `right` give the local
    /// derivative times the output gradient, from (gradient, a, b) at one element.
    static func binary(
        _ a: Tensor, _ b: Tensor, _ operation: String, _ name: String,
        _ forward: @escaping (Float, Float) -> Float,
        left: @escaping (Float, Float, Float) -> Float,
        right: @escaping (Float, Float, Float) -> Float
    ) -> Tensor {
        guard let outputShape = Broadcasting.shape(a.shape, b.shape) else {
            preconditionFailure(
                "\(operation): shapes \(a.shapeText) and \(b.shapeText) cannot be broadcast together (sizes must match or be 1, aligned from the right)"
            )
        }
        let aStrides = Broadcasting.strides(of: a.shape, broadcastTo: outputShape)
        let bStrides = Broadcasting.strides(of: b.shape, broadcastTo: outputShape)
        let sameShape = a.shape == b.shape
        let aData = a.data, bData = b.data
        var output = [Float](repeating: 0, count: outputShape.reduce(1, *))
        aData.withUnsafeBufferPointer { x in
            bData.withUnsafeBufferPointer { y in
                output.withUnsafeMutableBufferPointer { out in
                    if sameShape {
                        for index in 0..<out.count { out[index] = forward(x[index], y[index]) }
                    } else {
                        Broadcasting.forEach(outputShape, aStrides, bStrides) { index, i, j in
                            out[index] = forward(x[i], y[j])
                        }
                    }
                }
            }
        }
        let aShape = a.shape, bShape = b.shape
        return result(shape: outputShape, data: output, inputs: [a, b], name: name) { gradient, needs in
            var aGradient: [Float]? = nil, bGradient: [Float]? = nil
            if needs[0] { aGradient = [Float](repeating: 0, count: outputShape.reduce(1, *)) }
            if needs[1] { bGradient = [Float](repeating: 0, count: outputShape.reduce(1, *)) }
            // Local derivatives at the output's size first, then summed down to each input.
            aData.withUnsafeBufferPointer { x in
                bData.withUnsafeBufferPointer { y in
                    Broadcasting.forEach(outputShape, aStrides, bStrides) { index, i, j in
                        if aGradient != nil { aGradient![index] = left(gradient[index], x[i], y[j]) }
                        if bGradient != nil { bGradient![index] = right(gradient[index], x[i], y[j]) }
                    }
                }
            }
            return [
                aGradient.map { Broadcasting.reduce($0, from: outputShape, to: aShape) },
                bGradient.map { Broadcasting.reduce($0, from: outputShape, to: bShape) },
            ]
        }
    }

    /// An elementwise function of one tensor; `derivative(x, y)` is dy/dx at input x, output y.
    ///
    /// - Parameter scalar: the number the operation combines the tensor with (`x * 2`), recorded
    ///   as a second, constant input as PyTorch records it (`next_functions` ends with `None`).
    func elementwise(
        _ name: String, _ forward: (Float) -> Float, scalar: Float? = nil,
        derivative: @escaping (Float, Float) -> Float
    ) -> Tensor {
        let input = data
        let output = mapElements(input, forward)
        let inputs = scalar.map { [self, Tensor($0)] } ?? [self]
        return Tensor.result(shape: shape, data: output, inputs: inputs, name: name) { gradient, _ in
            [scaled(consume gradient, by: input, output, derivative)] + (scalar == nil ? [] : [nil])
        }
    }
}

/// Applies `transform` to every element, on all cores for large arrays.
func mapElements(_ x: [Float], _ transform: (Float) -> Float) -> [Float] {
    [Float](uninitializedCount: x.count) { y in
        x.withUnsafeBufferPointer { x in
            guard let xBase = x.baseAddress else { return }
            parallelFor(x.count, minimumPerThread: 1 << 15) { range in
                for i in range { y[i] = transform(xBase[i]) }
            }
        }
    }
}

/// g[i] * derivative(x[i], y[i]) for every element, written over the gradient `g`, which the
/// engine hands over (a copy is made only if someone else still holds it; see `Tensor.result`),
/// on all cores for large arrays.
func scaled(_ gradient: consuming [Float], by x: [Float], _ y: [Float], _ derivative: (Float, Float) -> Float)
    -> [Float]
{
    var g = consume gradient
    g.withUnsafeMutableBufferPointer { g in
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                guard let gBase = g.baseAddress, let xBase = x.baseAddress, let yBase = y.baseAddress else { return }
                parallelFor(g.count, minimumPerThread: 1 << 15) { range in
                    for i in range { gBase[i] *= derivative(xBase[i], yBase[i]) }
                }
            }
        }
    }
    return g
}
