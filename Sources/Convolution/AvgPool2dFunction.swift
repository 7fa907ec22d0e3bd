import Autograd
import Parallel

/// Average pooling (PyTorch's `F.avg_pool2d` without padding): each output is the mean of its
/// window, and its gradient is shared equally, 1 / (k_h * k_w) to each element of the window.
///
/// ## Shape
/// - [N, C, H, W] -> [N, C, (H - k_h) / s_h + 1, (W - k_w) / s_w + 1]
public func avgPool2d(
    _ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, layerName: String = "avgPool2d"
)
    -> Tensor
{
    let (planes, g) = poolingGeometry(input, kernelSize: kernelSize, stride: stride ?? kernelSize, layerName: layerName)
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
