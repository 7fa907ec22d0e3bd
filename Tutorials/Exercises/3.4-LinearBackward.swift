// Exercise 3.4: the backward of Linear
//
// PyTorch's Linear computes Y = X W^T + b with X (n x in), W (out x in), b (out). Given
// `gradient` = dL/dY (n x out), return dL/dX (n x in), dL/dW (out x in: the weight's own
// shape) and dL/db (out values: b is added to every row).
//
// Taught in:  Tutorials/03-Autograd/main.swift, section 4 (and Sources/Autograd/Tensor+Matmul.swift, linear)
// Grade it:   swift run -c release exercise check 3.4
// Start over: swift run -c release exercise reset 3.4

import ExerciseSupport
import MatrixMath

public func linearBackward(gradient: Matrix, input: Matrix, weight: Matrix)
    throws -> (input: Matrix, weight: Matrix, bias: [Float])
{
    throw ExerciseNotStarted("3.4")
}
