// Exercise 3.1: the backward of an elementwise product
//
// y = a * b, element by element. Given `gradient` = dL/dy, return dL/da and dL/db (the
// chain rule: each is the incoming gradient times the derivative of y by that input).
//
// Taught in:  Tutorials/03-Autograd/main.swift, section 3 (and Sources/Autograd/Tensor+Arithmetic.swift)
// Grade it:   swift run -c release exercise check 3.1
// Start over: swift run -c release exercise reset 3.1

import ExerciseSupport

public func multiplyBackward(gradient: [Float], a: [Float], b: [Float]) throws -> (a: [Float], b: [Float]) {
    throw ExerciseNotStarted("3.1")
}
