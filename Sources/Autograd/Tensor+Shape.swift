import MatrixMath

/// Operations that change how the values are arranged, not what they are: reshape, flatten,
/// transpose. Their backward undoes the rearrangement on the gradient.
///
/// ## Shape
/// - reshaped(to:): any shape with the same number of elements; one size may be -1 (inferred)
/// - flattened(startDim: 1): [n, c, h, w] -> [n, c*h*w]
/// - transposed(): [m, n] -> [n, m]
///
/// ```swift
/// let images = batch.reshaped(to: [-1, 1, 28, 28])
/// let rows = features.flattened(startDim: 1)          // keep the batch dimension
/// ```
extension Tensor {
    /// The same values in a new shape (PyTorch's `view`/`reshape`).
    public func reshaped(to newShape: [Int]) -> Tensor {
        reshaped(to: newShape, name: "ViewBackward0")
    }

    /// `reshaped`, recorded under the node name PyTorch gives the operation that reshapes
    /// (`ViewBackward0` for `view`, `UnsafeViewBackward0` for the result of a batched `linear`).
    func reshaped(to newShape: [Int], name: String) -> Tensor {
        let resolved = resolveShape(newShape)
        return Tensor.result(shape: resolved, data: data, inputs: [self], name: name) { gradient, _ in
            [gradient]  // same order of values, so the gradient is unchanged
        }
    }

    /// Merges dimensions `startDim` through `endDim` into one, as `torch.flatten(x, startDim,
    /// endDim)`: by default every dimension (a 1-D result); `flattened(startDim: 1)` keeps the
    /// batch, as `torch.flatten(x, 1)` before a Linear layer. Negative dimensions count from the
    /// end. When nothing is merged, the tensor itself is returned, as in PyTorch.
    ///
    /// ```swift
    /// images.flattened(startDim: 1)      // [64, 1, 28, 28] -> [64, 784]
    /// ```
    public func flattened(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        guard rank > 0 else { return reshaped(to: [1]) }
        let start = startDim < 0 ? startDim + rank : startDim, end = endDim < 0 ? endDim + rank : endDim
        precondition(
            start >= 0 && start < rank && end >= start && end < rank,
            "flatten: dimensions \(startDim) to \(endDim) are not a range of a tensor of shape \(shapeText)")
        guard end > start else { return self }
        return reshaped(to: Array(shape[..<start]) + [shape[start...end].reduce(1, *)] + Array(shape[(end + 1)...]))
    }

    /// The transpose of a 2-D tensor (`.t()`).
    public func transposed() -> Tensor { transposed(lazily: false) }

    /// `transposed()` whose values are made only when first read, from this tensor's values at that
    /// time: as PyTorch's `W.t()` is a view of W, not a copy. `linear` records it in its graph (the
    /// `TBackward0` node PyTorch records) and computes its product from W itself, so that a layer's
    /// forward pass does not copy its whole weight matrix (4.7 MB for `pytorch-example`'s fc1)
    /// when nothing reads the copy.
    func lazilyTransposed() -> Tensor { transposed(lazily: true) }

    private func transposed(lazily: Bool) -> Tensor {
        precondition(rank == 2, "transpose: needs a 2-D tensor, got shape \(shapeText)")
        let (rows, columns) = (shape[0], shape[1])
        let values = { [self] in transposeValues(data, rows: rows, columns: columns) }
        let output =
            lazily
            ? Tensor(shape: [columns, rows], computingValuesOnFirstRead: values)
            : Tensor(shape: [columns, rows], data: values())
        return Tensor.recording(output, inputs: [self], name: "TBackward0") { gradient, _ in
            [transposeValues(gradient, rows: columns, columns: rows)]
        }
    }

    /// Replaces a -1 in `newShape` by the size that makes the element counts equal.
    private func resolveShape(_ newShape: [Int]) -> [Int] {
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        precondition(unknown.count <= 1, "reshape: at most one dimension may be -1, got \(newShape)")
        precondition(newShape.allSatisfy { $0 >= -1 }, "reshape: invalid shape \(newShape)")
        var resolved = newShape
        if let position = unknown.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            precondition(
                known > 0 && count % known == 0,
                "reshape: cannot view \(shapeText) (\(count) values) as \(newShape)")
            resolved[position] = count / known
        }
        precondition(
            resolved.reduce(1, *) == count,
            "reshape: cannot view \(shapeText) (\(count) values) as \(newShape) (\(resolved.reduce(1, *)) values)")
        return resolved
    }
}

/// The transpose of a row-major [rows, columns] array.
