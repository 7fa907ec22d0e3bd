import Foundation
import MatrixMath
import Parallel

/// Elementwise functions and their derivatives, each written beside its forward formula.
///
///     exp:     y = e^x,                   dy/dx = e^x = y
///     log:     y = ln x,                  dy/dx = 1/x
///     relu:    y = max(0, x),             dy/dx = 1 if x > 0 else 0
///     sigmoid: y = 1 / (1 + e^-x),        dy/dx = y (1 - y)
///     tanh:    y = tanh x,                dy/dx = 1 - y^2
///     pow:     y = x^p,                   dy/dx = p x^(p-1)
///
/// ## Shape
/// - any -> the same shape
///
/// ```swift
/// let hidden = x.linear(weight: w, bias: b).relu()
/// ```
extension Tensor {
    public func exp() -> Tensor { elementwise("ExpBackward0", { Foundation.exp($0) }, derivative: { _, y in y }) }

    public func log() -> Tensor { elementwise("LogBackward0", { Foundation.log($0) }, derivative: { x, _ in 1 / x }) }

    /// Rectified linear unit. At exactly 0 the derivative is taken as 0, as PyTorch does.
    ///
    /// Written out rather than through `elementwise`: it runs on every activation of every
    /// convolution, twice per step, and a plain loop the compiler can vectorise is several times
    /// faster than a call per element.
    ///
    /// The values are made when first read (`DeferredReLU`): max pooling, which usually comes
    /// next, rectifies the input as it reads it, so the output array is never made. The backward
    /// pass needs only whether each x was positive, kept as one byte per value: on convnet's first
    /// layer (3.2 million activations per batch) it reads a 3 MB mask beside the gradient instead
    /// of the 13 MB input, and these passes are limited by memory traffic, not arithmetic.
    public func relu() -> Tensor {
        AllocatorTuning.apply()  // as `result` does for every other operation
        let deferred = DeferredReLU(input: data, needsMask: GradMode.isEnabled && requiresGrad)
        let output = Tensor(shape: shape, deferring: deferred)
        return Tensor.recording(output, inputs: [self], name: "ReluBackward0") { gradient, _ in
            // dx = g where x > 0, else 0 (so 0 where x is NaN, as in PyTorch), written over g itself:
            // the engine hands the gradient over (a copy is made only if someone else still holds
            // it), which saves a second array and the memory traffic of filling it.
            var dx = consume gradient
            let positive = deferred.mask()
            dx.withUnsafeMutableBufferPointer { g in
                positive.withUnsafeBufferPointer { mask in
                    guard let gBase = g.baseAddress, let maskBase = mask.baseAddress else { return }
                    parallelFor(g.count, minimumPerThread: 1 << 15) { range in
                        for i in range { gBase[i] = maskBase[i] != 0 ? gBase[i] : 0 }
                    }
                }
            }
            return [dx]
        }
    }

    public func sigmoid() -> Tensor {
        // Written so that neither branch overflows: for x < 0, e^x / (1 + e^x).
        elementwise(
            "SigmoidBackward0",
            { x in
                x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
            }, derivative: { _, y in y * (1 - y) })
    }

    public func tanh() -> Tensor {
        elementwise("TanhBackward0", { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y })
    }

    public func pow(_ exponent: Float) -> Tensor {
        elementwise(
            "PowBackward0", { Foundation.pow($0, exponent) },
            derivative: { x, _ in exponent * Foundation.pow(x, exponent - 1) })
    }
}
