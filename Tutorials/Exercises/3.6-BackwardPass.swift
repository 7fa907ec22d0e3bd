// Exercise 3.6: backward() itself: the chain rule over the graph
//
// Do what `root.backward()` does, for a scalar `root`: start from dL/droot = [1], visit the
// computed tensors in reverse topological order (yours from 3.5, or the library's
// `root.topologicalOrder()`), call each one's `gradFn!.apply(gradient)` to get one
// gradient per input (nil where none is needed), and hand each to that input: add it to
// what that input already received (a tensor used twice receives two contributions). A
// leaf (no gradFn) that `requiresGrad` gets the sum added into its `.grad` (create
// `Tensor(shape:data:)` if nil): gradients accumulate until zeroGrad, as in PyTorch.
//
// Taught in:  Tutorials/03-Autograd/main.swift, section 3 (and Sources/Autograd/Backward.swift)
// Grade it:   swift run -c release exercise check 3.6
// Start over: swift run -c release exercise reset 3.6

import Autograd
import ExerciseSupport

public func backwardPass(from root: Tensor) throws {
    throw ExerciseNotStarted("3.6")
}
