// Exercise 4.3, solved with the library's own implementation: one Adam step from the moments
// and step count of the last call.

import Autograd
import ExerciseSupport
import Foundation
import NeuralNetwork
import Optimizers

public func adamStep(
    parameter: inout [Float], gradient: [Float], m: inout [Float], v: inout [Float], step: Int,
    learningRate: Float, beta1: Float, beta2: Float, epsilon: Float
) throws {
    let p = Parameter(shape: [parameter.count], data: parameter)
    let optimizer = Adam(parameters: [p], learningRate: learningRate, betas: (beta1, beta2), epsilon: epsilon)
    try optimizer.loadStateTensors([("exp_avg.0", m), ("exp_avg_sq.0", v), ("step", [Float(step - 1)])])
    p.grad = Tensor(shape: [gradient.count], data: gradient)
    optimizer.step()
    parameter = p.data
    let state = Dictionary(optimizer.stateTensors().map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
    (m, v) = (state["exp_avg.0"]!, state["exp_avg_sq.0"]!)
}
