// Exercise 3.2: the backward of exp
//
// y = exp(x), element by element. Given `gradient` = dL/dy and the input x, return dL/dx.
//
// Taught in:  Tutorials/03-Autograd/main.swift, section 3 (and Sources/Autograd/Tensor+Math.swift)
// Grade it:   swift run -c release exercise check 3.2
// Start over: swift run -c release exercise reset 3.2

import ExerciseSupport

public func expBackward(gradient: [Float], input: [Float]) throws -> [Float] {
    throw ExerciseNotStarted("3.2")
}
