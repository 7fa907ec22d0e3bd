// Exercise 5.1: Conv2d forward through im2col
//
// Input [N, C, H, W], weight [OC, C, kh, kw], bias [OC], all row-major arrays. Output
// [N, OC, oh, ow] with oh = (H + 2 ph - kh) / sh + 1 (ow likewise):
// out[n, o, y, x] = bias[o] + sum over c, i, j of weight[o, c, i, j] * in[n, c, y sh + i - ph,
// x sw + j - pw], reading 0 outside the input. Through im2col: copy each image's windows into
// a (C kh kw) x (oh ow) matrix, then one matrix product with the weight as OC x (C kh kw).
//
// Taught in:  Tutorials/05-Convolution/main.swift, sections 1 and 2, and Sources/Convolution/Im2col.swift
// Grade it:   swift run -c release exercise check 5.1
// Start over: swift run -c release exercise reset 5.1

import ExerciseSupport
import MatrixMath

public func conv2dForward(
    input: [Float], inputShape: [Int], weight: [Float], weightShape: [Int], bias: [Float],
    stride: (Int, Int), padding: (Int, Int)
) throws -> [Float] {
    throw ExerciseNotStarted("5.1")
}
