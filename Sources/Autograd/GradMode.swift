/// Whether operations record the graph that `backward()` walks.
///
/// Evaluation needs no gradients: inside `withNoGrad` every operation computes its value only,
/// attaching no `gradFn`, which saves the memory of the graph and the time of building it
/// (PyTorch's `with torch.no_grad():`). The switch is task-local, so one thread's evaluation never
/// turns off another thread's training.
///
/// ```swift
/// let score = withNoGrad { model(testImages) }
/// ```
public enum GradMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording gradients.
public func withNoGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradMode.$isEnabled.withValue(false) { try body() }
}
