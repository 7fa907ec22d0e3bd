// Exercise 3.5: the order backward() visits the graph in
//
// Return every computed tensor `root` depends on (those with a `gradFn`; `root` included,
// leaves excluded), each once, and each after every computed tensor it was made from
// (`tensor.gradFn!.inputs`). A depth-first walk that appends a tensor after visiting its
// inputs gives this order; remember which tensors you have seen (compare them with ===
// or ObjectIdentifier): graphs share tensors.
//
// Taught in:  Tutorials/03-Autograd/main.swift, section 3 (and Sources/Autograd/Backward.swift)
// Grade it:   swift run -c release exercise check 3.5
// Start over: swift run -c release exercise reset 3.5

import Autograd
import ExerciseSupport

public func topologicalOrder(from root: Tensor) throws -> [Tensor] {
    throw ExerciseNotStarted("3.5")
}
