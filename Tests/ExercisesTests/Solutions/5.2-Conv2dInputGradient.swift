// Exercise 5.2, solved with the library's own implementation: conv2d's backward through autograd.

import Autograd
import Convolution
import ExerciseSupport

public func conv2dInputGradient(
    outputGradient: [Float], weight: [Float], weightShape: [Int], inputShape: [Int], stride: (Int, Int),
    padding: (Int, Int)
) throws -> [Float] {
    let x = Tensor(shape: inputShape, data: [Float](repeating: 0, count: inputShape.reduce(1, *)), requiresGrad: true)
    let y = conv2d(x, weight: Tensor(shape: weightShape, data: weight), bias: nil, stride: stride, padding: padding)
    y.backward(Tensor(shape: y.shape, data: outputGradient))
    return x.grad!.data
}
