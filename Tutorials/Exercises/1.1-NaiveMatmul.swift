// Exercise 1.1: the matrix product, three loops
//
// Return C = A B for A (m x k) and B (k x n): C[i, j] = sum over p of A[i, p] * B[p, j].
// Three nested loops over `a[i, p]` and `b[p, j]` (Matrix's subscript); the result is
// `Matrix.zeros(rows: m, columns: n)` filled in. Any m, k, n, not only square ones.
//
// Taught in:  Tutorials/01-Matrices/main.swift, sections 2 and 3
// Grade it:   swift run -c release exercise check 1.1
// Start over: swift run -c release exercise reset 1.1

import ExerciseSupport
import MatrixMath

public func naiveMatmul(_ a: Matrix, _ b: Matrix) throws -> Matrix {
    throw ExerciseNotStarted("1.1")
}
