// Exercise 5.5, solved with the library's own implementation: maxPool2d's backward through autograd.

import Autograd
import Convolution
import ExerciseSupport

public func maxPool2dBackward(
    outputGradient: [Float], input: [Float], inputShape: [Int], kernel: (Int, Int), stride: (Int, Int)
) throws -> [Float] {
    let x = Tensor(shape: inputShape, data: input, requiresGrad: true)
    let y = maxPool2d(x, kernelSize: kernel, stride: stride)
    y.backward(Tensor(shape: y.shape, data: outputGradient))
    return x.grad!.data
}
