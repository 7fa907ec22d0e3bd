// Exercise 4.2, solved with the library's own implementation: one SGD step on a Parameter that
// carries the velocity over from the last call.

import Autograd
import ExerciseSupport
import NeuralNetwork
import Optimizers

public func sgdMomentumStep(
    parameter: inout [Float], gradient: [Float], velocity: inout [Float]?, learningRate: Float,
    momentum: Float, weightDecay: Float
) throws {
    let p = Parameter(shape: [parameter.count], data: parameter)
    let optimizer = SGD(parameters: [p], learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
    if let velocity { try optimizer.loadStateTensors([("momentum.0", velocity)]) }
    p.grad = Tensor(shape: [gradient.count], data: gradient)
    optimizer.step()
    parameter = p.data
    velocity = optimizer.stateTensors().first?.values
}
