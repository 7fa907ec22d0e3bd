import Autograd
import MatrixMath
import Testing

/// How far `actual` is from `expected`, entry by entry, with the worst entry named: the failure
/// message of every comparison of floating-point results in the tests.
///
/// Entries agree when |actual - expected| <= tolerance * max(1, largest |expected|): relative to
/// the size of the numbers, the agreement that float rounding allows between two summation orders.
public struct Closeness: CustomStringConvertible, Sendable {
    public let count: Int
    /// Where the worst entry is, its expected and actual values, and the allowed difference.
    public let worstIndex: Int
    public let expected: Float
    public let actual: Float
    public let allowed: Float
    /// How many entries differ by more than `allowed`.
    public let mismatches: Int
    /// A reason the arrays cannot be compared at all (different sizes or shapes).
    public let problem: String?

    public var isClose: Bool { problem == nil && mismatches == 0 }

    public init(_ actual: [Float], _ expected: [Float], tolerance: Float) {
        count = expected.count
        guard actual.count == expected.count else {
            (worstIndex, self.expected, self.actual, allowed, mismatches) = (0, 0, 0, 0, 0)
            problem = "\(actual.count) values, expected \(expected.count)"
            return
        }
        problem = nil
        let scale = Swift.max(1, expected.map { Swift.abs($0) }.max() ?? 0)
        allowed = tolerance * scale
        var worst = 0
        var worstDifference: Float = -1
        var failing = 0
        for index in expected.indices {
            // A NaN anywhere counts as the worst possible difference.
            let difference = Swift.abs(actual[index] - expected[index])
            let effective = difference.isNaN ? Float.infinity : difference
            if effective > allowed { failing += 1 }
            if effective > worstDifference { (worst, worstDifference) = (index, effective) }
        }
        worstIndex = worst
        self.expected = expected.isEmpty ? 0 : expected[worst]
        self.actual = actual.isEmpty ? 0 : actual[worst]
        mismatches = failing
    }

    public init(shapeProblem: String) {
        (count, worstIndex, expected, actual, allowed, mismatches) = (0, 0, 0, 0, 0, 0)
        problem = shapeProblem
    }

    public var description: String {
        if let problem { return "cannot compare: \(problem)" }
        let verdict = isClose ? "all \(count) entries agree" : "\(mismatches) of \(count) entries differ"
        return "\(verdict); worst is entry \(worstIndex): expected \(expected), actual \(actual) "
            + "(difference \(Swift.abs(actual - expected)), allowed \(allowed))"
    }
}

/// Records a failure naming the worst entry unless `actual` and `expected` agree entry by entry.
public func expectClose(
    _ actual: [Float], _ expected: [Float], tolerance: Float = 1e-4, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let closeness = Closeness(actual, expected, tolerance: tolerance)
    #expect(closeness.isClose, "\(what.isEmpty ? "" : what + ": ")\(closeness)", sourceLocation: sourceLocation)
}

/// `expectClose` for matrices: the shapes must match too.
public func expectClose(
    _ actual: Matrix, _ expected: Matrix, tolerance: Float = 1e-4, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(
        shape: "\(actual.rows)x\(actual.columns)", actual.storage, expected: "\(expected.rows)x\(expected.columns)",
        expected.storage, tolerance: tolerance, what, sourceLocation: sourceLocation)
}

/// `expectClose` for tensors: the shapes must match too.
public func expectClose(
    _ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(
        shape: actual.shapeText, actual.data, expected: expected.shapeText, expected.data, tolerance: tolerance, what,
        sourceLocation: sourceLocation)
}

/// Compares two shaped arrays: a failure names both shapes when they differ, else the worst entry.
private func expectClose(
    shape actualShape: String, _ actual: [Float], expected expectedShape: String, _ expected: [Float],
    tolerance: Float, _ what: String, sourceLocation: SourceLocation
) {
    guard actualShape == expectedShape else {
        Issue.record(
            "\(what.isEmpty ? "" : what + ": ")shape \(actualShape), expected \(expectedShape)",
            sourceLocation: sourceLocation)
        return
    }
    expectClose(actual, expected, tolerance: tolerance, what, sourceLocation: sourceLocation)
}

/// Records a failure listing the disagreeing entries (argument, position, analytic and numeric
/// gradient) unless the gradient check passed.
public func expectGradientsMatch(
    _ result: GradcheckResult, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.passed, "\(what.isEmpty ? "" : what + ": ")\(result)", sourceLocation: sourceLocation)
}
