import Autograd
import Parallel

/// Max pooling as a differentiable operation (PyTorch's `F.max_pool2d`): each output is the
/// largest value of its window, in every channel separately.
///
///     out[n, c, y, x] = max_{i, j} in[n, c, y*s + i, x*s + j]
///
/// Backward: the whole gradient of an output goes to the input element that was the maximum
/// (the first in row-major order on ties, as PyTorch; a NaN wins over any number, the last NaN
/// over earlier ones, also as PyTorch's CPU kernel); every other
/// element of the window gets nothing from it. Overlapping windows add up.
///
/// The common 2x2, stride-2 window works on eight windows at once and remembers which corner won
/// in one byte per output; backward then writes each window's four gradients at once, the
/// winner's and three zeros, instead of clearing the input gradient and adding into it. Other
/// windows remember nothing: backward finds each winner again by the same comparisons on the
/// input, which the graph keeps anyway.
///
/// ## Shape
/// - [N, C, H, W] -> [N, C, (H - k_h) / s_h + 1, (W - k_w) / s_w + 1]; the stride defaults to the
///   kernel size, as in PyTorch (non-overlapping windows)
///
/// ```swift
/// let pooled = maxPool2d(features, kernelSize: (2, 2))   // [64, 32, 26, 26] -> [64, 32, 13, 13]
/// ```
public func maxPool2d(
    _ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, layerName: String = "maxPool2d"
)
    -> Tensor
{
    let (planes, g) = poolingGeometry(input, kernelSize: kernelSize, stride: stride ?? kernelSize, layerName: layerName)
    let isPair = g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2
    // After a ReLU whose values nobody has read yet, the 2x2 windows rectify the ReLU's input as
    // they load it (and write the ReLU's mask for its backward pass) instead of making its output
    // (`DeferredReLU`); the maxima and winners are the same.
    let deferred = isPair ? input.deferredReLU : nil
    let values = deferred?.input ?? input.data
    var corners = [UInt8](repeating: 0, count: isPair ? planes * g.outputPlane : 0)
    // Every byte of the mask is written below, a plane at a time.
    let maskCount = deferred?.wantsMask == true ? values.count : 0
    // (No mask is an empty literal: an empty `unsafeUninitializedCapacity` array writes its count into
    // the storage all empty arrays share, a data race between threads pooling at once.)
    var positive =
        maskCount == 0
        ? [] : [UInt8](unsafeUninitializedCapacity: maskCount) { _, initialized in initialized = maskCount }
    let output = [Float](uninitializedCount: planes * g.outputPlane) { yBase in
        values.withUnsafeBufferPointer { x in
            corners.withUnsafeMutableBufferPointer { c in
                positive.withUnsafeMutableBufferPointer { mask in
                    guard let xBase = x.baseAddress else { return }
                    // (An empty array may still have a base address: `isPair` and `deferred` decide, not
                    // the pointers.)
                    let end = xBase + x.count, cornerBase = isPair ? c.baseAddress : nil
                    let maskBase = deferred?.wantsMask == true ? mask.baseAddress : nil
                    let rectifies = deferred != nil
                    parallelFor(planes, minimumPerThread: 64) { range in
                        for plane in range {
                            let source = xBase + plane * g.inputPlane, target = yBase + plane * g.outputPlane
                            // Two calls with constant flags, so that each inlined copy is specialised.
                            if let cornerBase, rectifies {
                                maxPool2x2(
                                    source, into: target, corners: cornerBase + plane * g.outputPlane, geometry: g,
                                    readableEnd: end, rectifying: true)
                                // The ReLU's mask for the whole plane, while it is still in L1.
                                if let maskBase { markPositive(source, g.inputPlane, maskBase + plane * g.inputPlane) }
                                continue
                            }
                            if let cornerBase {
                                maxPool2x2(
                                    source, into: target, corners: cornerBase + plane * g.outputPlane, geometry: g,
                                    readableEnd: end, rectifying: false)
                                continue
                            }
                            for oy in 0..<g.outputHeight {
                                for ox in 0..<g.outputWidth {
                                    target[oy * g.outputWidth + ox] = source[winner(oy, ox, of: source, geometry: g)]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    if let deferred, deferred.wantsMask { deferred.keep(mask: positive) }
    // Backward reads the input again only for windows other than 2x2.
    let saved = isPair ? [] : values
    let outputShape = [input.shape[0], input.shape[1], g.outputHeight, g.outputWidth]
    return Tensor.result(shape: outputShape, data: output, inputs: [input], name: "MaxPool2DWithIndicesBackward0") {
        [corners] gradient, _ in
        let dx = [Float](uninitializedCount: planes * g.inputPlane) { dBase in
            saved.withUnsafeBufferPointer { x in
                gradient.withUnsafeBufferPointer { dy in
                    corners.withUnsafeBufferPointer { c in
                        guard let dyBase = dy.baseAddress else { return }
                        let cornerBase = isPair ? c.baseAddress : nil, gradientEnd = dyBase + dy.count
                        parallelFor(planes, minimumPerThread: 64) { range in
                            for plane in range {
                                let target = dBase + plane * g.inputPlane,
                                    outputGradient = dyBase + plane * g.outputPlane
                                if let cornerBase {
                                    maxPool2x2Backward(
                                        outputGradient, corners: cornerBase + plane * g.outputPlane, into: target,
                                        geometry: g,
                                        readableEnd: (gradientEnd, cornerBase + c.count))
                                    continue
                                }
                                // Each plane is cleared by the core that fills it, just before.
                                guard let xBase = x.baseAddress else { return }
                                let source = xBase + plane * g.inputPlane
                                target.update(repeating: 0, count: g.inputPlane)
                                for oy in 0..<g.outputHeight {
                                    for ox in 0..<g.outputWidth {
                                        target[winner(oy, ox, of: source, geometry: g)] +=
                                            outputGradient[oy * g.outputWidth + ox]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [dx]
    }
}

/// The plane offset of the element that wins window (`oy`, `ox`), by `keepWinner`'s rule in
/// row-major order, among the values as stored or, when `rectifying`, their ReLU.
@inline(__always)
private func winner(
    _ oy: Int, _ ox: Int, of source: UnsafePointer<Float>, geometry g: ConvolutionGeometry, rectifying: Bool = false
) -> Int {
    let top = oy * g.strideHeight, left = ox * g.strideWidth
    var best = top * g.inputWidth + left
    var bestValue = rectified(source[best], rectifying)
    for i in 0..<g.kernelHeight {
        let row = (top + i) * g.inputWidth + left
        for j in 0..<g.kernelWidth {
            keepWinner(&bestValue, &best, candidate: rectified(source[row + j], rectifying), at: row + j)
        }
    }
    return best
}

/// The 2x2, stride-2 windows of one plane, eight at a time, and the corner that won each
/// (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right).
///
/// A last partial group of eight in a row is done as the last eight outputs of the row,
/// overlapping the group before (the overlap is computed twice, identically). A row of fewer than
/// eight outputs is one group whose extra lanes are not stored; its loads may read past the plane
/// into the next one, never past `readableEnd` (the tensor's last rows go one window at a time).
///
/// When `rectifying`, the plane is a ReLU's input (`DeferredReLU`): every value is rectified as it
/// is loaded.
@inline(__always)
private func maxPool2x2(
    _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, corners: UnsafeMutablePointer<UInt8>,
    geometry g: ConvolutionGeometry, readableEnd: UnsafePointer<Float>, rectifying: Bool
) {
    let width = g.inputWidth
    for oy in 0..<g.outputHeight {
        let upper = source + 2 * oy * width, lower = upper + width
        let outputRow = target + oy * g.outputWidth, cornerRow = corners + oy * g.outputWidth
        if g.outputWidth >= 8 {
            var ox = 0
            while ox < g.outputWidth {
                ox = Swift.min(ox, g.outputWidth - 8)
                let (best, corner) = eightWindows(
                    sixteen(upper + 2 * ox, rectifying: rectifying), sixteen(lower + 2 * ox, rectifying: rectifying))
                UnsafeMutableRawPointer(outputRow + ox).storeBytes(of: best, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(cornerRow + ox).storeBytes(of: corner, as: SIMD8<UInt8>.self)
                ox += 8
            }
        } else if lower + 16 <= readableEnd {
            let (best, corner) = eightWindows(
                sixteen(upper, rectifying: rectifying), sixteen(lower, rectifying: rectifying))
            for ox in 0..<g.outputWidth {
                outputRow[ox] = best[ox]
                cornerRow[ox] = corner[ox]
            }
        } else {
            for ox in 0..<g.outputWidth {
                let index = winner(oy, ox, of: source, geometry: g, rectifying: rectifying)
                let offset = index - 2 * oy * width - 2 * ox
                outputRow[ox] = rectified(source[index], rectifying)
                cornerRow[ox] = UInt8(offset < width ? offset : offset - width + 2)
            }
        }
    }
}

/// 16 values of a row from `pointer`, rectified when `rectifying`: `rectifiedLinear` on
/// each lane (x < 0 ? 0 : x, NaN kept).
@_transparent
private func sixteen(_ pointer: UnsafePointer<Float>, rectifying: Bool) -> SIMD16<Float> {
    let values = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    return rectifying ? values.replacing(with: 0, where: values .< 0) : values
}

/// x, or its ReLU when `rectifying` (`rectifiedLinear`).
@inline(__always)
private func rectified(_ x: Float, _ rectifying: Bool) -> Float { rectifying ? rectifiedLinear(x) : x }

/// The ReLU mask (`reluMask`) of `count` values from `source`.
@inline(__always)
private func markPositive(_ source: UnsafePointer<Float>, _ count: Int, _ mask: UnsafeMutablePointer<UInt8>) {
    for i in 0..<count { mask[i] = reluMask(source[i]) }
}

/// Backward of `maxPool2x2` for one plane: each window's gradient on its winning corner and 0 on
/// the other three, the two input rows of eight windows written as 16 values each. Input elements
/// no window covers (a last odd row or column) get 0. Rows of fewer than eight windows read and
/// write whole vectors too where that stays inside the buffers and the plane: a vector assembled
/// lane by lane, or stored so, cost twice the rest of the work.
@inline(__always)
private func maxPool2x2Backward(
    _ outputGradient: UnsafePointer<Float>, corners: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>,
    geometry g: ConvolutionGeometry, readableEnd: (gradient: UnsafePointer<Float>, corners: UnsafePointer<UInt8>)
) {
    let width = g.inputWidth, coveredWidth = 2 * g.outputWidth, coveredHeight = 2 * g.outputHeight
    for oy in 0..<g.outputHeight {
        let upper = target + 2 * oy * width, lower = upper + width
        let dyRow = outputGradient + oy * g.outputWidth, cornerRow = corners + oy * g.outputWidth
        if g.outputWidth >= 8 {
            var ox = 0
            while ox < g.outputWidth {
                ox = Swift.min(ox, g.outputWidth - 8)
                let dy = UnsafeRawPointer(dyRow + ox).loadUnaligned(as: SIMD8<Float>.self)
                let corner = UnsafeRawPointer(cornerRow + ox).loadUnaligned(as: SIMD8<UInt8>.self)
                let (top, bottom) = spread(dy, to: corner)
                UnsafeMutableRawPointer(upper + 2 * ox).storeBytes(of: top, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(lower + 2 * ox).storeBytes(of: bottom, as: SIMD16<Float>.self)
                ox += 8
            }
        } else {
            var dy = SIMD8<Float>(), corner = SIMD8<UInt8>()
            if dyRow + 8 <= readableEnd.gradient && cornerRow + 8 <= readableEnd.corners {
                // Whole vectors: the extra lanes belong to later rows and only reach elements that
                // are written again after.
                dy = UnsafeRawPointer(dyRow).loadUnaligned(as: SIMD8<Float>.self)
                corner = UnsafeRawPointer(cornerRow).loadUnaligned(as: SIMD8<UInt8>.self)
            } else {
                for ox in 0..<g.outputWidth {
                    dy[ox] = dyRow[ox]
                    corner[ox] = cornerRow[ox]
                }
            }
            let (top, bottom) = spread(dy, to: corner)
            if lower + 16 <= target + g.inputPlane {
                // Full rows of 16 spill into the rows below, which are written after (their own
                // windows, or the zeros of uncovered elements); never into the next plane.
                UnsafeMutableRawPointer(upper).storeBytes(of: top, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(lower).storeBytes(of: bottom, as: SIMD16<Float>.self)
            } else {
                for column in 0..<coveredWidth {
                    upper[column] = top[column]
                    lower[column] = bottom[column]
                }
            }
        }
        for column in coveredWidth..<width {
            upper[column] = 0
            lower[column] = 0
        }
    }
    (target + coveredHeight * width).update(repeating: 0, count: (g.inputHeight - coveredHeight) * width)
}

/// The maxima of eight neighbouring 2x2 windows whose top rows are `up` and bottom rows `down`,
/// and the corner that won each as a byte: 16 values of a row hold the left (even) and right (odd)
/// columns of the eight windows, compared in PyTorch's scan order (top-left,
/// top-right, bottom-left, bottom-right).
///
/// The corners are tracked as the Floats 2^23 + corner, whose lowest byte is the corner number:
/// selects under a mask from Float comparisons compile to single masked moves, and taking the byte
/// is one instruction; Int32 corners, or a Float-to-integer conversion, were taken apart lane by
/// lane. `@_transparent` rather than `@inline(__always)`: the compiler declined the latter here,
/// and a call per eight windows cost more than the comparisons.
@_transparent
private func eightWindows(_ up: SIMD16<Float>, _ down: SIMD16<Float>) -> (maxima: SIMD8<Float>, corner: SIMD8<UInt8>) {
    let number: Float = 0x1p23
    var best = up.evenHalf, corner = SIMD8<Float>(repeating: number)
    keepWinners(&best, &corner, candidates: up.oddHalf, at: SIMD8(repeating: number + 1))
    keepWinners(&best, &corner, candidates: down.evenHalf, at: SIMD8(repeating: number + 2))
    keepWinners(&best, &corner, candidates: down.oddHalf, at: SIMD8(repeating: number + 3))
    return (best, SIMD8<UInt8>(truncatingIfNeeded: unsafeBitCast(corner, to: SIMD8<UInt32>.self)))
}

/// Each window's gradient put on its winning corner, 0 on the other three: the top and bottom input
/// rows of eight windows, 16 values each.
///
/// The corners are compared as Floats, for the reason `eightWindows` tracks them as Floats.
@_transparent
private func spread(_ dy: SIMD8<Float>, to corners: SIMD8<UInt8>) -> (top: SIMD16<Float>, bottom: SIMD16<Float>) {
    let corner = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: corners)), zero = SIMD8<Float>()
    return (
        interleaved(zero.replacing(with: dy, where: corner .== 0), zero.replacing(with: dy, where: corner .== 1)),
        interleaved(zero.replacing(with: dy, where: corner .== 2), zero.replacing(with: dy, where: corner .== 3))
    )
}

/// `[a0, b0, a1, b1, ..., a7, b7]`: the even and odd columns put back side by side (the compiler
/// makes it one permute).
@_transparent
private func interleaved(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
    SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
}

/// Max pooling's rule for a new candidate: it wins when it is larger, or NaN (a NaN wins over any
/// number and a later NaN over an earlier one, as in PyTorch's CPU kernel); on a tie the earlier
/// element stays.
///
/// Written as selects, not an `if`: which element of a window is largest is a coin toss on real
/// activations, and a branch the CPU cannot predict costs more than the comparison itself (the
/// 11x11 -> 5x5 pooling of convnet ran 5x slower with the branch).
@inline(__always)
private func keepWinner(_ best: inout Float, _ index: inout Int, candidate: Float, at candidateIndex: Int) {
    let wins = ((candidate > best ? 1 : 0) | (candidate.isNaN ? 1 : 0)) != 0
    best = wins ? candidate : best
    index = wins ? candidateIndex : index
}

/// `keepWinner` for eight windows at once.
@_transparent
private func keepWinners(
    _ best: inout SIMD8<Float>, _ index: inout SIMD8<Float>, candidates: SIMD8<Float>,
    at candidateIndices: SIMD8<Float>
) {
    let wins = (candidates .> best) .| (candidates .!= candidates)
    best.replace(with: candidates, where: wins)
    index.replace(with: candidateIndices, where: wins)
}
