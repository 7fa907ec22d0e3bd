/// What an untouched exercise stub throws: the grader reports the exercise as "not started"
/// instead of grading (or crashing on) an empty function. Delete the `throw` line when you write
/// your answer.
///
/// ```swift
/// public func naiveMatmul(_ a: Matrix, _ b: Matrix) throws -> Matrix {
///     throw ExerciseNotStarted("1.1")
/// }
/// ```
public struct ExerciseNotStarted: Error, CustomStringConvertible {
    public let exercise: String

    public init(_ exercise: String) { self.exercise = exercise }

    public var description: String { "exercise \(exercise) is not started" }
}
