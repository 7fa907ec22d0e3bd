import Random
import Testing

/// A test trait that gives every test of a suite its own default random generator (seed 0 until
/// the test calls `manualSeed`).
///
/// Swift Testing runs tests in parallel, in one process. Tests that build layers draw their initial
/// weights from the default generator; without isolation, one test's draws would shift another's
/// stream, and a test comparing two runs bit for bit could fail by chance.
public struct IsolatedRandomness: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await DefaultGenerator.isolated(seed: 0) { try await function() }
    }
}

extension Trait where Self == IsolatedRandomness {
    /// Each test gets a default generator of its own.
    public static var isolatedRandomness: IsolatedRandomness { IsolatedRandomness() }
}
