// Exercise 5.3: Conv2d's weight and bias gradients
//
// For the convolution of 5.1, given dL/dout [N, OC, oh, ow] and the input, return dL/dweight
// [OC, C, kh, kw] and dL/dbias [OC]. Each forward term sends gradient * input element to
// its weight; the bias receives every output gradient of its channel. Sum over the batch.
//
// Taught in:  Tutorials/05-Convolution/main.swift, section 2 (and Sources/Convolution/Conv2dFunction.swift)
// Grade it:   swift run -c release exercise check 5.3
// Start over: swift run -c release exercise reset 5.3

import ExerciseSupport

public func conv2dWeightGradient(
    outputGradient: [Float], input: [Float], inputShape: [Int], weightShape: [Int], stride: (Int, Int),
    padding: (Int, Int)
) throws -> (weight: [Float], bias: [Float]) {
    throw ExerciseNotStarted("5.3")
}
