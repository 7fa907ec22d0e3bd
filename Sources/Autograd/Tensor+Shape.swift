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
/// let rows = features.flattened()          // keep the batch dimension
/// ```
extension Tensor {
    /// The same values in a new shape (PyTorch's `view`/`reshape`).
    public func reshaped(to newShape: [Int]) -> Tensor {
        let resolved = resolveShape(newShape)
        let oldShape = shape
        return Tensor.result(shape: resolved, data: data, inputs: [self], name: "ViewBackward0") { gradient, _ in
            _ = oldShape
            return [gradient]  // same order of values, so the gradient is unchanged
        }
    }

    /// Merges dimensions `startDim` through the last into one (`torch.flatten(x, 1)`).
    public func flattened(startDim: Int = 1) -> Tensor {
        precondition(
            startDim >= 0 && startDim <= Swift.max(rank - 1, 0),
            "flatten: startDim \(startDim) is not a dimension of a tensor of shape \(shapeText)")
        guard rank > 0 else { return reshaped(to: [1]) }
        return reshaped(to: Array(shape[..<startDim]) + [shape[startDim...].reduce(1, *)])
    }

    /// The transpose of a 2-D tensor (`.t()`).
    public func transposed() -> Tensor {
        precondition(rank == 2, "transpose: needs a 2-D tensor, got shape \(shapeText)")
        let (rows, columns) = (shape[0], shape[1])
        return Tensor.result(
            shape: [columns, rows], data: transpose(data, rows: rows, columns: columns),
            inputs: [self], name: "TBackward0"
        ) { gradient, _ in
            [transpose(gradient, rows: columns, columns: rows)]
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
func transpose(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    var result = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { target in
            for i in 0..<rows {
                for j in 0..<columns { target[j * rows + i] = source[i * columns + j] }
            }
        }
    }
    return result
}
