import Foundation
import MatrixMath
import Random

/// One failed case of an exercise: which case, what differed (the entry, expected and actual),
/// and a hint about the usual mistake behind it.
public struct GradeFailure: Error, Equatable, CustomStringConvertible {
    public let caseName: String
    public let detail: String
    public let hint: String

    public var description: String {
        "case \"\(caseName)\": \(detail)" + (hint.isEmpty ? "" : "\n  hint: \(hint)")
    }
}

/// What grading an exercise found.
public enum GradeResult: Equatable {
    /// Every case passed (their names, in order).
    case passed([String])
    /// The stub still throws `ExerciseNotStarted`.
    case notStarted
    /// A case failed, after the cases `passed` had passed.
    case failed(GradeFailure, passed: [String])

    public var isPassed: Bool { if case .passed = self { true } else { false } }
}

/// A mismatch found inside a case, before the case's name and hint are attached.
struct Mismatch: Error {
    let detail: String
}

/// Runs an exercise's cases in order and stops at the first that fails.
///
/// ```swift
/// let result = Grader.grade { grader in
///     try grader.check("2x3 times 3x2, a known answer", hint: "...") {
///         try expectClose(try learner(a, b), expected, what: "the product")
///     }
/// }
/// ```
public final class Grader {
    public private(set) var passedCases: [String] = []
    private(set) var currentCase = "before the first case"
    /// Called as each case starts (the grading program prints it, so a crash names its case).
    let onCase: (String) -> Void

    init(onCase: @escaping (String) -> Void) { self.onCase = onCase }

    /// Runs one case; a mismatch inside becomes a `GradeFailure` with this case's name and hint.
    public func check(_ name: String, hint: String, _ body: () throws -> Void) throws {
        currentCase = name
        onCase(name)
        do {
            try body()
        } catch let mismatch as Mismatch {
            throw GradeFailure(caseName: name, detail: mismatch.detail, hint: hint)
        }
        passedCases.append(name)
    }

    /// Grades: `.notStarted` if the learner's code throws `ExerciseNotStarted`, `.failed` at the
    /// first failing case (or any other error the learner's code throws), else `.passed`.
    public static func grade(onCase: @escaping (String) -> Void = { _ in }, _ body: (Grader) throws -> Void)
        -> GradeResult
    {
        let grader = Grader(onCase: onCase)
        do {
            try body(grader)
            return .passed(grader.passedCases)
        } catch is ExerciseNotStarted {
            return .notStarted
        } catch let failure as GradeFailure {
            return .failed(failure, passed: grader.passedCases)
        } catch {
            return .failed(
                GradeFailure(
                    caseName: grader.currentCase, detail: "your function threw an error: \(error)",
                    hint: "the exercise's functions throw only ExerciseNotStarted, which you delete"),
                passed: grader.passedCases)
        }
    }
}

// MARK: - Comparisons that say where they differ

/// A row-major index as `[i, j, ...]` for a shape.
func indexText(_ flat: Int, shape: [Int]) -> String {
    guard !shape.isEmpty else { return "[\(flat)]" }
    var rest = flat
    var indices: [Int] = []
    for size in shape.reversed() {
        indices.append(rest % Swift.max(size, 1))
        rest /= Swift.max(size, 1)
    }
    return "[" + indices.reversed().map(String.init).joined(separator: ", ") + "]"
}

func format(_ value: Float) -> String { value.isFinite ? String(format: "%.6g", value) : "\(value)" }

/// Fails unless `actual` has `expected.count` values each within `tolerance` (absolute, plus
/// relative to the expected value) of `expected`; the message names the entry that is furthest
/// off, by its index in `shape`.
func expectClose(
    _ actual: [Float], _ expected: [Float], shape: [Int], what: String, tolerance: Float = 1e-4,
    mistakes: [(name: String, values: [Float])] = []
) throws {
    guard actual.count == expected.count else {
        throw Mismatch(
            detail:
                "\(what) has \(actual.count) values, expected \(expected.count) (shape \(shape.map(String.init).joined(separator: "x")))"
        )
    }
    var worst = -1
    var worstError: Float = 0
    for index in expected.indices {
        let error = abs(actual[index] - expected[index])
        let allowed = tolerance * (1 + abs(expected[index]))
        if !(error <= allowed) && (worst < 0 || !(error <= worstError)) {
            worst = index
            worstError = error.isNaN ? .infinity : error
        }
    }
    if worst >= 0 {
        var detail =
            "\(what), entry \(indexText(worst, shape: shape)): expected \(format(expected[worst])), got \(format(actual[worst]))"
        // Name the mistake when the answer is exactly what a known mistake gives.
        if let mistake = mistakes.first(where: { $0.values.count == actual.count && isClose($0.values, actual) }) {
            detail += "; that is what \(mistake.name) gives"
        }
        throw Mismatch(detail: detail)
    }
}

/// True when every value of `a` is within 1e-4 (relative) of `b`'s.
func isClose(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * (1 + abs($1)) }
}

/// `expectClose` for matrices: the shapes first.
func expectClose(
    _ actual: Matrix, _ expected: Matrix, what: String, tolerance: Float = 1e-4,
    mistakes: [(name: String, values: [Float])] = []
) throws {
    guard actual.rows == expected.rows && actual.columns == expected.columns else {
        throw Mismatch(detail: "\(what) is \(actual.shapeText), expected \(expected.shapeText)")
    }
    try expectClose(
        actual.storage, expected.storage, shape: [expected.rows, expected.columns], what: what, tolerance: tolerance,
        mistakes: mistakes)
}

/// A random matrix with values in -1...1.
func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
    Matrix(rows: rows, columns: columns, storage: randomValues(rows * columns, seed: seed))
}

/// Fails with `detail` unless `condition` holds.
func expect(_ condition: Bool, _ detail: @autoclosure () -> String) throws {
    if !condition { throw Mismatch(detail: detail()) }
}

/// Central differences of `f` at `x`: (f(x + h e_i) - f(x - h e_i)) / 2h for every i, in Double.
func centralDifferences(_ f: ([Double]) -> Double, at x: [Double], step h: Double = 1e-4) -> [Float] {
    var point = x
    return x.indices.map { i in
        point[i] = x[i] + h
        let plus = f(point)
        point[i] = x[i] - h
        let minus = f(point)
        point[i] = x[i]
        return Float((plus - minus) / (2 * h))
    }
}

/// Reproducible values in -1...1 (or `range`).
func randomValues(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float.random(in: range, using: &generator) }
}
