// Exercise 5.4: MaxPool2d forward
//
// Input [N, C, H, W]; output [N, C, (H - kh) / sh + 1, (W - kw) / sw + 1], each value the
// largest in its kh x kw window, the windows `stride` apart, every plane on its own.
//
// Taught in:  Tutorials/05-Convolution/main.swift, section 3 (and Sources/Convolution/MaxPool2dFunction.swift)
// Grade it:   swift run -c release exercise check 5.4
// Start over: swift run -c release exercise reset 5.4

import ExerciseSupport

public func maxPool2dForward(input: [Float], inputShape: [Int], kernel: (Int, Int), stride: (Int, Int))
    throws -> [Float]
{
    throw ExerciseNotStarted("5.4")
}
