// Exercise 5.5: MaxPool2d backward
//
// Given dL/dout of 5.4's pooling and its input, return dL/dinput [N, C, H, W]: each
// output's whole gradient goes to the one element of its window that was the maximum
// (on a tie, the first in row-major order, as PyTorch), the others get none from it;
// where windows overlap, an element collects from every window it won.
//
// Taught in:  Tutorials/05-Convolution/main.swift, section 3 (and Sources/Convolution/MaxPool2dFunction.swift)
// Grade it:   swift run -c release exercise check 5.5
// Start over: swift run -c release exercise reset 5.5

import ExerciseSupport

public func maxPool2dBackward(
    outputGradient: [Float], input: [Float], inputShape: [Int], kernel: (Int, Int), stride: (Int, Int)
) throws -> [Float] {
    throw ExerciseNotStarted("5.5")
}
