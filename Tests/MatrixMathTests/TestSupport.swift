import MatrixMath
import Testing

/// True when every element of `actual` is within `tolerance` of `expected`, relative to the largest
/// magnitude in `expected` (at least 1): the agreement float rounding allows between two summation
/// orders.
func close(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-4) -> Bool {
    guard actual.count == expected.count else { return false }
    let scale = Swift.max(1, expected.map(abs).max() ?? 0)
    return zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance * scale }
}

func close(_ actual: Matrix, _ expected: Matrix, tolerance: Float = 1e-4) -> Bool {
    actual.rows == expected.rows && actual.columns == expected.columns
        && close(actual.storage, expected.storage, tolerance: tolerance)
}
