// Exercise 4.3: one step of Adam
//
// Adam for one parameter at step t (1 on the first step): m = β1 m + (1 - β1) g;
// v = β2 v + (1 - β2) g²; with the bias corrections m̂ = m / (1 - β1^t) and
// v̂ = v / (1 - β2^t), p -= learningRate * m̂ / (sqrt(v̂) + ε). Update `parameter`, `m`
// and `v` in place (m and v start at zeros).
//
// Taught in:  Tutorials/04-Modules/main.swift, section 5, and Sources/Optimizers/Adam.swift (its doc comment)
// Grade it:   swift run -c release exercise check 4.3
// Start over: swift run -c release exercise reset 4.3

import ExerciseSupport
import Foundation

public func adamStep(
    parameter: inout [Float], gradient: [Float], m: inout [Float], v: inout [Float], step: Int,
    learningRate: Float, beta1: Float, beta2: Float, epsilon: Float
) throws {
    throw ExerciseNotStarted("4.3")
}
