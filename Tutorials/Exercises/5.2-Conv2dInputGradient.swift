// Exercise 5.2: Conv2d's input gradient
//
// For the convolution of 5.1, given dL/dout [N, OC, oh, ow], return dL/dinput [N, C, H, W].
// Every term weight[o, c, i, j] * in[n, c, iy, ix] of the forward sum sends
// gradient * weight[o, c, i, j] back to that input element; windows overlap (stride
// below the kernel), so add, and send nothing to the padding.
//
// Taught in:  Tutorials/05-Convolution/main.swift, section 2 (and Sources/Convolution/Conv2dFunction.swift)
// Grade it:   swift run -c release exercise check 5.2
// Start over: swift run -c release exercise reset 5.2

import ExerciseSupport

public func conv2dInputGradient(
    outputGradient: [Float], weight: [Float], weightShape: [Int], inputShape: [Int], stride: (Int, Int),
    padding: (Int, Int)
) throws -> [Float] {
    throw ExerciseNotStarted("5.2")
}
