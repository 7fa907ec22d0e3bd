import Autograd

/// Checks a pooling input and returns the number of planes (N * C) and the window geometry.
func poolingGeometry(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int), layerName: String)
    -> (planes: Int, geometry: ConvolutionGeometry)
{
    precondition(input.rank == 4, "\(layerName): expected input [N, C, H, W], got \(input.shapeText)")
    guard
        let g = ConvolutionGeometry(
            inputHeight: input.shape[2], inputWidth: input.shape[3],
            kernel: kernelSize, stride: stride, padding: (0, 0))
    else {
        preconditionFailure(
            "\(layerName): window \(kernelSize.0)x\(kernelSize.1) with stride \(stride) does not fit input \(input.shapeText) (window larger than the input, or a size below 1)"
        )
    }
    return (input.shape[0] * input.shape[1], g)
}
