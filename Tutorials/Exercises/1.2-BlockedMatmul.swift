// Exercise 1.2: the matrix product, cache-blocked
//
// The same product, computed block by block: for each `blockSize` x `blockSize` tile of C,
// add the products of the matching tiles of A and B, so the tiles being read stay in the
// cache. Sizes need not be multiples of `blockSize`: the last tiles are smaller. Work on
// the storage arrays (row-major: A[i, p] is `a.storage[i * a.columns + p]`) for speed.
//
// Taught in:  Tutorials/01-Matrices/main.swift, sections 3 and 5
// Grade it:   swift run -c release exercise check 1.2
// Start over: swift run -c release exercise reset 1.2

import ExerciseSupport
import MatrixMath

public func blockedMatmul(_ a: Matrix, _ b: Matrix, blockSize: Int) throws -> Matrix {
    throw ExerciseNotStarted("1.2")
}
