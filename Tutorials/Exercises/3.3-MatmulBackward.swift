// Exercise 3.3: the backward of a matrix product
//
// Y = A B with A (m x k), B (k x n). Given `gradient` = dL/dY (m x n), return dL/dA
// (m x k) and dL/dB (k x n). Check your answer's shapes: they say where the transposes go.
// `Matrix.matmul(_:transposeSelf:transposeOther:)` is yours to use.
//
// Taught in:  Tutorials/03-Autograd/main.swift, sections 3 and 4 (and Sources/Autograd/Tensor+Matmul.swift)
// Grade it:   swift run -c release exercise check 3.3
// Start over: swift run -c release exercise reset 3.3

import ExerciseSupport
import MatrixMath

public func matmulBackward(gradient: Matrix, a: Matrix, b: Matrix) throws -> (a: Matrix, b: Matrix) {
    throw ExerciseNotStarted("3.3")
}
