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
    var output = [Float](repeating: 0, count: planes * g.outputPlane)
    var argmax = [Int32](repeating: 0, count: planes * g.outputPlane)
    input.data.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { y in
            argmax.withUnsafeMutableBufferPointer { a in
                guard let xBase = x.baseAddress, let yBase = y.baseAddress, let aBase = a.baseAddress else { return }
                parallelFor(planes, minimumPerThread: 64) { range in
                    for plane in range {
                        let source = xBase + plane * g.inputPlane
                        let target = yBase + plane * g.outputPlane, indices = aBase + plane * g.outputPlane
                        if g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2 {
                            maxPool2x2(source, target, indices, geometry: g)
                            continue
                        }
                        for oy in 0..<g.outputHeight {
                            for ox in 0..<g.outputWidth {
                                let top = oy * g.strideHeight, left = ox * g.strideWidth
                                var best = top * g.inputWidth + left
                                var bestValue = source[best]
                                for i in 0..<g.kernelHeight {
                                    let row = (top + i) * g.inputWidth + left
                                    for j in 0..<g.kernelWidth {
                                        keepWinner(&bestValue, &best, candidate: source[row + j], at: row + j)
                                    }
                                }
                                target[oy * g.outputWidth + ox] = bestValue
                                indices[oy * g.outputWidth + ox] = Int32(best)
                            }
                        }
                    }
                }
            }
        }
    }
    let outputShape = [input.shape[0], input.shape[1], g.outputHeight, g.outputWidth]
    return Tensor.result(shape: outputShape, data: output, inputs: [input], name: "MaxPool2DWithIndicesBackward0") {
        gradient, _ in
        let dx = [Float](uninitializedCount: planes * g.inputPlane) { dBase in
            gradient.withUnsafeBufferPointer { dy in
                argmax.withUnsafeBufferPointer { a in
                    guard let dyBase = dy.baseAddress, let aBase = a.baseAddress else { return }
                    parallelFor(planes, minimumPerThread: 64) { range in
                        for plane in range {
                            // Each plane is cleared by the core that fills it, just before.
                            let target = dBase + plane * g.inputPlane
                            target.update(repeating: 0, count: g.inputPlane)
                            for position in 0..<g.outputPlane {
                                let index = plane * g.outputPlane + position
                                target[Int(aBase[index])] += dyBase[index]
                            }
                        }
                    }
                }
            }
        }
        return [dx]
    }
}

/// The common 2x2, stride-2 window of one plane, without the general loops: the four candidates
/// of each window compared in PyTorch's scan order (top-left, top-right, bottom-left,
/// bottom-right), eight windows side by side in SIMD registers.
@inline(__always)
private func maxPool2x2(
    _ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>,
    _ indices: UnsafeMutablePointer<Int32>, geometry g: ConvolutionGeometry
) {
    let width = g.inputWidth
    // The input offsets of the top-left candidates of eight neighbouring windows.
    let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
    for oy in 0..<g.outputHeight {
        let top = 2 * oy * width
        let upper = source + top, lower = source + top + width
        let outputRow = target + oy * g.outputWidth, indexRow = indices + oy * g.outputWidth
        guard g.outputWidth >= 8 else {
            for ox in 0..<g.outputWidth {
                let x = 2 * ox
                var best = upper[x], index = top + x
                keepWinner(&best, &index, candidate: upper[x + 1], at: top + x + 1)
                keepWinner(&best, &index, candidate: lower[x], at: top + width + x)
                keepWinner(&best, &index, candidate: lower[x + 1], at: top + width + x + 1)
                outputRow[ox] = best
                indexRow[ox] = Int32(index)
            }
            continue
        }
        // Eight outputs at a time: 16 values of each input row hold the left (even) and right
        // (odd) columns of eight windows. A last partial group is done as the last eight outputs
        // of the row, overlapping the group before (the overlap is computed twice, identically).
        var ox = 0
        while ox < g.outputWidth {
            ox = Swift.min(ox, g.outputWidth - 8)
            let x = 2 * ox
            let up = UnsafeRawPointer(upper + x).loadUnaligned(as: SIMD16<Float>.self)
            let down = UnsafeRawPointer(lower + x).loadUnaligned(as: SIMD16<Float>.self)
            let topLeft = SIMD8<Int32>(repeating: Int32(top + x)) &+ lanes
            var best = up.evenHalf, index = topLeft
            keepWinners(&best, &index, candidates: up.oddHalf, at: topLeft &+ 1)
            keepWinners(&best, &index, candidates: down.evenHalf, at: topLeft &+ Int32(width))
            keepWinners(&best, &index, candidates: down.oddHalf, at: topLeft &+ Int32(width + 1))
            UnsafeMutableRawPointer(outputRow + ox).storeBytes(of: best, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(indexRow + ox).storeBytes(of: index, as: SIMD8<Int32>.self)
            ox += 8
        }
    }
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
@inline(__always)
private func keepWinners(
    _ best: inout SIMD8<Float>, _ index: inout SIMD8<Int32>, candidates: SIMD8<Float>,
    at candidateIndices: SIMD8<Int32>
) {
    let wins = (candidates .> best) .| (candidates .!= candidates)
    best.replace(with: candidates, where: wins)
    index.replace(with: candidateIndices, where: wins)
}
