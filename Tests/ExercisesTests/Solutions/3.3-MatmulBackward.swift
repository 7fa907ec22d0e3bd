// Exercise 3.3, solved with the library's own implementation: autograd's matmul and its backward.

import Autograd
import ExerciseSupport
import MatrixMath

public func matmulBackward(gradient: Matrix, a: Matrix, b: Matrix) throws -> (a: Matrix, b: Matrix) {
    let (x, y) = (Tensor(a, requiresGrad: true), Tensor(b, requiresGrad: true))
    x.matmul(y).backward(Tensor(gradient))
    return (x.grad!.matrix, y.grad!.matrix)
}
