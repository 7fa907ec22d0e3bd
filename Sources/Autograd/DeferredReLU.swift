import Parallel

/// The values of `x.relu()` until something reads them: the input they come from, and the mask
/// (whether each input value is > 0) that ReLU's backward pass needs.
///
///     relu(x) = x < 0 ? 0 : x        (a NaN stays NaN, as in PyTorch)
///     mask(x) = x > 0 ? 1 : 0        (one byte per value; the derivative is 0 at 0 and at NaN)
///
/// **Why defer.** In a convolutional network a ReLU is usually followed by 2x2 max pooling, and
/// pooling can rectify each value as it loads it: the maximum of a window of rectified values is
/// the same number, from the same element, whichever of the two computes the rectified values.
/// So `relu()` returns a tensor whose values are made only when first read (`Tensor.data`), and
/// `maxPool2d` reads `Tensor.deferredReLU` instead: it pools straight from the input and writes
/// the mask on the way. ReLU's output array (13 MB per batch after `convnet`'s first layer) is then
/// never written and read back; on two cores that pass alone took about 6% of a training step.
/// Anything else that reads the output (another layer, a print, a test) gets exactly the values an
/// eager ReLU makes, computed from the input as it was when `relu()` was called.
///
/// Whichever code computes the values first also makes the mask, once, when gradients are being
/// recorded; ReLU's backward pass makes it from the input itself if nothing has.
///
/// ## Shape
/// - input: any number of values; `mask()`: one byte per value
///
/// ```swift
/// let r = conv1(x).relu()          // nothing computed yet
/// let p = maxPool2d(r, kernelSize: (2, 2))   // pools relu(x) from x, writes r's mask
/// print(r.data[0])                 // now r's values are made, from x as it was
/// ```
package final class DeferredReLU {
    /// The input's values when `relu()` was called (an array shares them; nothing is copied).
    package let input: [Float]
    /// Whether the backward pass needs the mask: gradients were being recorded for the input.
    package let needsMask: Bool
    /// The mask once made, by whichever code computed the values first.
    private var madeMask: [UInt8]?

    init(input: [Float], needsMask: Bool) {
        self.input = input
        self.needsMask = needsMask
    }

    /// Whether code that computes the values should also write the mask: it is needed, and nothing
    /// has made it yet.
    package var wantsMask: Bool { needsMask && madeMask == nil }

    /// Hands over a mask made alongside the values (by `maxPool2d`).
    package func keep(mask: [UInt8]) {
        precondition(mask.count == input.count, "DeferredReLU.keep: \(mask.count) mask bytes for \(input.count) values")
        madeMask = mask
    }

    /// The rectified values, and the mask beside them when `wantsMask`: what an eager ReLU computes,
    /// in one pass over the input.
    func values() -> [Float] {
        let writesMask = wantsMask && !input.isEmpty
        // Filled below. (Never an empty `unsafeUninitializedCapacity` array: it writes its count into
        // the storage all empty arrays share, a data race between threads.)
        var mask = writesMask ? [UInt8](unsafeUninitializedCapacity: input.count) { $1 = input.count } : []
        let output = [Float](uninitializedCount: input.count) { y in
            input.withUnsafeBufferPointer { x in
                mask.withUnsafeMutableBufferPointer { maskBuffer in
                    guard let xBase = x.baseAddress else { return }
                    // (An empty buffer may still have a base address: `writesMask` decides.)
                    let maskBase = writesMask ? maskBuffer.baseAddress : nil
                    parallelFor(x.count, minimumPerThread: 1 << 15) { range in
                        if let maskBase {
                            for i in range {
                                let value = xBase[i]
                                y[i] = rectifiedLinear(value)
                                maskBase[i] = reluMask(value)
                            }
                        } else {
                            for i in range { y[i] = rectifiedLinear(xBase[i]) }
                        }
                    }
                }
            }
        }
        if wantsMask { madeMask = mask }
        return output
    }

    /// The mask, made from the input now if nothing made it alongside the values.
    func mask() -> [UInt8] {
        if let madeMask { return madeMask }
        guard !input.isEmpty else { return [] }  // (see `values()` on empty arrays)
        let mask = [UInt8](unsafeUninitializedCapacity: input.count) { maskBuffer, initialized in
            input.withUnsafeBufferPointer { x in
                guard let xBase = x.baseAddress, let maskBase = maskBuffer.baseAddress else { return }
                parallelFor(x.count, minimumPerThread: 1 << 15) { range in
                    for i in range { maskBase[i] = reluMask(xBase[i]) }
                }
            }
            initialized = input.count
        }
        madeMask = mask
        return mask
    }
}

/// relu(x) = x < 0 ? 0 : x: a NaN stays NaN, as in PyTorch, and the select vectorises (max(0, x)
/// would not keep NaN). Every code that computes a ReLU's values uses it, or its SIMD form.
/// (Free functions, not static members of `DeferredReLU`: as static members of the class, called
/// from the pooling's loops in another module, they made the pooling's forward 3-6x slower.)
@inlinable package func rectifiedLinear(_ x: Float) -> Float { x < 0 ? 0 : x }

/// The ReLU mask's byte for x: 1 where x > 0, so 0 at 0 and at NaN, where the derivative is taken
/// as 0.
@inlinable package func reluMask(_ x: Float) -> UInt8 { x > 0 ? 1 : 0 }
