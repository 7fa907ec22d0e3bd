// Exercise 2.1: softmax of each row
//
// Return softmax of each row: p[i, j] = exp(z[i, j]) / sum over c of exp(z[i, c]). Scores
// can be large (1000 overflows exp): subtract each row's largest score first, which
// leaves the result unchanged.
//
// Taught in:  Tutorials/02-SoftmaxRegression/main.swift, section 2
// Grade it:   swift run -c release exercise check 2.1
// Start over: swift run -c release exercise reset 2.1

import ExerciseSupport
import MatrixMath

public func softmaxRows(_ logits: Matrix) throws -> Matrix {
    throw ExerciseNotStarted("2.1")
}
