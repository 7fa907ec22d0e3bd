// Exercise 4.1: a Module with Parameters
//
// Build a two-layer network from Parameters, without Linear: `weight1` (hidden x inputs),
// `bias1` (hidden), `weight2` (outputs x hidden), `bias2` (outputs), each filled, as
// PyTorch's Linear does, uniformly in -1/sqrt(fan_in)...1/sqrt(fan_in), where fan_in is
// the layer's number of inputs (`Float.random(in:)` will do). forward(x) = relu(x W1^T + b1)
// W2^T + b2, written with Tensor operations (matmul, transposed, +, relu) so autograd can
// follow it. Stored `Parameter` properties are found by `parameters()` on their own.
//
// Taught in:  Tutorials/04-Modules/main.swift, section 1, Sources/NeuralNetwork/Module.swift and Linear.swift
// Grade it:   swift run -c release exercise check 4.1
// Start over: swift run -c release exercise reset 4.1

import Autograd
import ExerciseSupport
import NeuralNetwork

public final class TwoLayerNetwork: Module {
    // Your parameters here, as `public let weight1: Parameter` and so on.

    public init(inputs: Int, hidden: Int, outputs: Int) throws {
        throw ExerciseNotStarted("4.1")
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input  // replace: the network's output
    }
}
