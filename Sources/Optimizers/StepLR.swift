import Foundation

/// Multiplies an optimiser's learning rate by `gamma` every `stepSize` epochs (PyTorch's
/// `torch.optim.lr_scheduler.StepLR`): lr = initial * gamma^(floor(epoch / stepSize)).
///
/// Large steps early cover ground; smaller steps late settle into a minimum instead of bouncing
/// around it.
///
/// ```swift
/// let scheduler = StepLR(optimizer: optimizer, stepSize: 1, gamma: 0.7)
/// for epoch in 1...14 { train(); test(); scheduler.step() }
/// ```
public final class StepLR {
    public let optimizer: Optimizer
    public let stepSize: Int
    public let gamma: Float
    public let initialLearningRate: Float
    /// Epochs completed (calls to `step()`).
    public private(set) var epoch = 0

    public init(optimizer: Optimizer, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize >= 1, "StepLR: stepSize must be at least 1, got \(stepSize)")
        self.optimizer = optimizer
        self.stepSize = stepSize
        self.gamma = gamma
        initialLearningRate = optimizer.learningRate
    }

    /// Ends an epoch and sets the learning rate for the next.
    public func step() {
        epoch += 1
        updateLearningRate()
    }

    /// Jumps to a given epoch count (used when resuming).
    public func setEpoch(_ epoch: Int) {
        self.epoch = epoch
        updateLearningRate()
    }

    private func updateLearningRate() {
        optimizer.learningRate = initialLearningRate * Foundation.pow(gamma, Float(epoch / stepSize))
    }
}
