import MatrixMath

/// Printing a tensor the way PyTorch does:
///
///     tensor([[ 0.1000, -2.0000],
///             [ 3.0000,  4.0000]], requiresGrad: true)
///     tensor(2.3026, gradFn: <NllLossBackward0>)
///
/// Long dimensions show their first and last three entries around `...`.
extension Tensor: CustomStringConvertible {
    public var description: String {
        let body = rank == 0 ? data[0].formatted4 : Self.format(data, shape: shape, indent: 7)
        var suffix = ""
        if let gradFn {
            suffix = ", gradFn: \(gradFn)"
        } else if requiresGrad {
            suffix = ", requiresGrad: true"
        }
        return "tensor(\(body)\(suffix))"
    }

    /// Nested brackets for `shape`, one line per row of the innermost matrix.
    static func format(_ values: [Float], shape: [Int], indent: Int) -> String {
        let width =
            values.map { value -> Int in
                let text = value.formatted4
                return text.count
            }.max() ?? 0
        func cell(_ value: Float) -> String {
            let text = value.formatted4
            return String(repeating: " ", count: width - text.count) + text
        }
        func render(_ offset: Int, _ dimension: Int, _ depth: Int) -> String {
            let size = shape[dimension]
            let stride = shape[(dimension + 1)...].reduce(1, *)
            let shown: [Int?] = size <= 6 ? Array(0..<size) : [0, 1, 2, nil, size - 3, size - 2, size - 1]
            if dimension == shape.count - 1 {
                return "[" + shown.map { $0.map { cell(values[offset + $0]) } ?? "..." }.joined(separator: ", ") + "]"
            }
            let separator =
                "," + String(repeating: "\n", count: shape.count - dimension - 1)
                + String(repeating: " ", count: indent + depth + 1)
            return "["
                + shown.map { $0.map { render(offset + $0 * stride, dimension + 1, depth + 1) } ?? "..." }
                .joined(separator: separator) + "]"
        }
        return render(0, 0, 0)
    }
}
