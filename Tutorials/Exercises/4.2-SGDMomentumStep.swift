// Exercise 4.2: one step of SGD with momentum
//
// PyTorch's SGD with momentum μ and weight decay λ, for one parameter: g = gradient + λ p;
// the velocity v becomes g on the first step (when `velocity` is nil) and μ v + g after;
// then p -= learningRate * v. Update `parameter` and `velocity` in place. (The learning
// rate may change between steps, as a StepLR schedule changes it.)
//
// Taught in:  Sources/Optimizers/SGD.swift (momentum is its doc comment; tutorial 06 trains with it)
// Grade it:   swift run -c release exercise check 4.2
// Start over: swift run -c release exercise reset 4.2

import ExerciseSupport

public func sgdMomentumStep(
    parameter: inout [Float], gradient: [Float], velocity: inout [Float]?, learningRate: Float,
    momentum: Float, weightDecay: Float
) throws {
    throw ExerciseNotStarted("4.2")
}
