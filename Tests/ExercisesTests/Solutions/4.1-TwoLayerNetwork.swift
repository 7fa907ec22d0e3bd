// Exercise 4.1, solved with the library's own pieces: Linear's initialisation and its operation.

import Autograd
import ExerciseSupport
import NeuralNetwork

public final class TwoLayerNetwork: Module {
    public let weight1: Parameter
    public let bias1: Parameter
    public let weight2: Parameter
    public let bias2: Parameter

    public init(inputs: Int, hidden: Int, outputs: Int) throws {
        let first = Linear(inputFeatures: inputs, outputFeatures: hidden)
        let second = Linear(inputFeatures: hidden, outputFeatures: outputs)
        (weight1, bias1, weight2, bias2) = (first.weight, first.bias!, second.weight, second.bias!)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.linear(weight: weight1, bias: bias1).relu().linear(weight: weight2, bias: bias2)
    }
}
