import Autograd
import MatrixMath
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
/// - [N, C, H, W] -> [N, C, (H - k_h) / s_h + 1, (W - k_w) / s_w + 1]
///
/// ```swift
/// let pooled = maxPool2d(features, kernelSize: (2, 2), stride: (2, 2))   // [64, 32, 26, 26] -> [64, 32, 13, 13]
/// ```
public func maxPool2d(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int), layerName: String = "maxPool2d") -> Tensor {
    let (planes, g) = poolingGeometry(input, kernelSize: kernelSize, stride: stride, layerName: layerName)
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
                                        let value = source[row + j]
                                        if value > bestValue || value.isNaN {
                                            bestValue = value
                                            best = row + j
                                        }
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
    return Tensor.result(shape: outputShape, data: output, inputs: [input], name: "MaxPool2DWithIndicesBackward0") { gradient, _ in
        var dx = [Float](repeating: 0, count: planes * g.inputPlane)
        gradient.withUnsafeBufferPointer { dy in
            argmax.withUnsafeBufferPointer { a in
                dx.withUnsafeMutableBufferPointer { d in
                    guard let dyBase = dy.baseAddress, let aBase = a.baseAddress, let dBase = d.baseAddress else { return }
                    parallelFor(planes, minimumPerThread: 64) { range in
                        for plane in range {
                            let target = dBase + plane * g.inputPlane
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
/// compared in PyTorch's scan order (top-left, top-right, bottom-left, bottom-right).
@inline(__always)
private func maxPool2x2(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>,
                        _ indices: UnsafeMutablePointer<Int32>, geometry g: ConvolutionGeometry) {
    let width = g.inputWidth
    // Index offsets of the four candidates for eight outputs side by side.
    let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
    for oy in 0..<g.outputHeight {
        let top = 2 * oy * width
        let upper = source + top, lower = source + top + width
        let outputRow = target + oy * g.outputWidth, indexRow = indices + oy * g.outputWidth
        var ox = 0
        // Eight outputs at a time: deinterleave 16 values of each input row into the left and
        // right columns of eight windows, then compare in PyTorch's scan order. A last partial
        // group is done as the last eight outputs of the row, overlapping the group before (the
        // overlap is simply computed twice, with the same result).
        while ox < g.outputWidth && g.outputWidth >= 8 {
            if ox + 8 > g.outputWidth { ox = g.outputWidth - 8 }
            let x = 2 * ox
            let up = UnsafeRawPointer(upper + x).loadUnaligned(as: SIMD16<Float>.self)
            let down = UnsafeRawPointer(lower + x).loadUnaligned(as: SIMD16<Float>.self)
            var best = up.evenHalf
            var index = SIMD8<Int32>(repeating: Int32(top + x)) &+ lanes
            // Written out (not a loop over an array of candidates, which would allocate per window row).
            let base = SIMD8<Int32>(repeating: Int32(top + x)) &+ lanes
            var candidate = up.oddHalf
            var wins = (candidate .> best) .| (candidate .!= candidate)
            best.replace(with: candidate, where: wins)
            index.replace(with: base &+ 1, where: wins)
            candidate = down.evenHalf
            wins = (candidate .> best) .| (candidate .!= candidate)
            best.replace(with: candidate, where: wins)
            index.replace(with: base &+ Int32(width), where: wins)
            candidate = down.oddHalf
            wins = (candidate .> best) .| (candidate .!= candidate)
            best.replace(with: candidate, where: wins)
            index.replace(with: base &+ Int32(width + 1), where: wins)
            UnsafeMutableRawPointer(outputRow + ox).storeBytes(of: best, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(indexRow + ox).storeBytes(of: index, as: SIMD8<Int32>.self)
            ox += 8
        }
        if g.outputWidth >= 8 { continue }
        while ox < g.outputWidth {
            let x = 2 * ox
            var best = upper[x]
            var index = top + x
            let candidates = (upper[x + 1], lower[x], lower[x + 1])
            if candidates.0 > best || candidates.0.isNaN { best = candidates.0; index = top + x + 1 }
            if candidates.1 > best || candidates.1.isNaN { best = candidates.1; index = top + width + x }
            if candidates.2 > best || candidates.2.isNaN { best = candidates.2; index = top + width + x + 1 }
            outputRow[ox] = best
            indexRow[ox] = Int32(index)
            ox += 1
        }
    }
}

/// Average pooling (PyTorch's `F.avg_pool2d` without padding): each output is the mean of its
/// window, and its gradient is shared equally, 1 / (k_h * k_w) to each element of the window.
///
/// ## Shape
/// - [N, C, H, W] -> [N, C, (H - k_h) / s_h + 1, (W - k_w) / s_w + 1]
public func avgPool2d(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int), layerName: String = "avgPool2d") -> Tensor {
    let (planes, g) = poolingGeometry(input, kernelSize: kernelSize, stride: stride, layerName: layerName)
    let scale = 1 / Float(g.kernelArea)
    var output = [Float](repeating: 0, count: planes * g.outputPlane)
    input.data.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { y in
            guard let xBase = x.baseAddress, let yBase = y.baseAddress else { return }
            parallelFor(planes, minimumPerThread: 64) { range in
                for plane in range {
                    let source = xBase + plane * g.inputPlane, target = yBase + plane * g.outputPlane
                    for oy in 0..<g.outputHeight {
                        for ox in 0..<g.outputWidth {
                            var total: Float = 0
                            for i in 0..<g.kernelHeight {
                                let row = (oy * g.strideHeight + i) * g.inputWidth + ox * g.strideWidth
                                for j in 0..<g.kernelWidth { total += source[row + j] }
                            }
                            target[oy * g.outputWidth + ox] = total * scale
                        }
                    }
                }
            }
        }
    }
    let outputShape = [input.shape[0], input.shape[1], g.outputHeight, g.outputWidth]
    return Tensor.result(shape: outputShape, data: output, inputs: [input], name: "AvgPool2DBackward0") { gradient, _ in
        var dx = [Float](repeating: 0, count: planes * g.inputPlane)
        gradient.withUnsafeBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer { d in
                guard let dyBase = dy.baseAddress, let dBase = d.baseAddress else { return }
                parallelFor(planes, minimumPerThread: 64) { range in
                    for plane in range {
                        let source = dyBase + plane * g.outputPlane, target = dBase + plane * g.inputPlane
                        for oy in 0..<g.outputHeight {
                            for ox in 0..<g.outputWidth {
                                let share = source[oy * g.outputWidth + ox] * scale
                                for i in 0..<g.kernelHeight {
                                    let row = (oy * g.strideHeight + i) * g.inputWidth + ox * g.strideWidth
                                    for j in 0..<g.kernelWidth { target[row + j] += share }
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

/// Checks a pooling input and returns the number of planes (N * C) and the window geometry.
func poolingGeometry(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int), layerName: String)
    -> (planes: Int, geometry: ConvolutionGeometry) {
    precondition(input.rank == 4, "\(layerName): expected input [N, C, H, W], got \(input.shapeText)")
    guard let g = ConvolutionGeometry(inputHeight: input.shape[2], inputWidth: input.shape[3],
                                      kernel: kernelSize, stride: stride, padding: (0, 0)) else {
        preconditionFailure("\(layerName): window \(kernelSize.0)x\(kernelSize.1) with stride \(stride) does not fit input \(input.shapeText) (window larger than the input, or a size below 1)")
    }
    return (input.shape[0] * input.shape[1], g)
}
