// Exercise 2.2: the cross-entropy gradient, derived by hand
//
// Softmax regression scores a batch X (n x 784) as Z = X W + b, with W (784 x 10) and b
// (1 x 10), and its loss is the mean over the batch of -log softmax(Z)[i, label i].
// Return the gradients of that loss with respect to W and b: with dZ = (softmax(Z) -
// onehot(labels)) / n, they are dW = X^T dZ (784 x 10) and db = the column sums of dZ.
//
// Taught in:  Tutorials/02-SoftmaxRegression/main.swift, sections 2 and 3
// Grade it:   swift run -c release exercise check 2.2
// Start over: swift run -c release exercise reset 2.2

import ExerciseSupport
import MatrixMath

public func softmaxRegressionGradients(inputs: Matrix, labels: [Int], weight: Matrix, bias: Matrix)
    throws -> (weight: Matrix, bias: Matrix)
{
    throw ExerciseNotStarted("2.2")
}
