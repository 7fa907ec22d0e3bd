import Autograd
import Datasets
import NeuralNetwork
import Optimizers

/// What one epoch of training did.
public struct EpochResult: Sendable {
    /// The mean of the batches' losses; NaN when training stopped because the loss stopped being
    /// finite.
    public let averageLoss: Double
    public let seconds: Double
    public let images: Int
    /// The loss at every logged step: (batch number within the epoch, from 1; loss).
    public let loggedLosses: [(batch: Int, loss: Double)]
    /// Batches run.
    public let batches: Int

    public var imagesPerSecond: Double { Double(images) / Swift.max(seconds, 1e-9) }

    /// True when training stopped because the loss was no longer finite.
    public var diverged: Bool { averageLoss.isNaN }
}

/// One epoch of the standard loop over `loader`: for every batch, the four lines every model
/// trains with,
///
///     optimizer.zeroGrad()                                       gradients accumulate: clear them
///     let loss = crossEntropy(model(images), labels: labels)     forward pass, recording the graph
///     loss.backward()                                            chain rule into every .grad
///     optimizer.step()                                           update the parameters
///
/// The loss is cross-entropy, which accepts raw scores or log-probabilities alike (log-softmax of
/// log-probabilities changes nothing), so this one loop serves every model here. If the loss stops
/// being finite, the epoch stops at once and the result says so (`diverged`), before a step
/// spreads NaN through the weights.
///
/// - Parameters:
///   - logInterval: record (and show) the loss of every `logInterval`-th batch, from the first.
///   - dryRun: stop after the first batch (a quick check that everything runs).
///   - progress: what shows the progress (PyTorch's `Train Epoch:` lines by default).
///   - log: where the message about a diverging loss goes.
///
/// ```swift
/// let result = trainEpoch(model: model, optimizer: Adam(parameters: model.parameters()),
///                         loader: DataLoader(train, batchSize: 64, shuffle: true), epoch: 1)
/// print(result.averageLoss)
/// ```
public func trainEpoch<Dataset>(
    model: Module, optimizer: Optimizer, loader: DataLoader<Dataset>, epoch: Int,
    logInterval: Int = 10, dryRun: Bool = false, progress: TrainingProgress? = nil,
    log: @escaping (String) -> Void = printLine
) -> EpochResult {
    let progress = progress ?? ProgressLines(log: log)
    model.train()
    let clock = ContinuousClock()
    let start = clock.now
    func seconds() -> Double {
        let elapsed = start.duration(to: clock.now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
    var lossSum = 0.0, batches = 0, images = 0
    var logged: [(batch: Int, loss: Double)] = []
    for batch in loader {
        optimizer.zeroGrad()
        let forwardStart = seconds()
        let loss = crossEntropy(model(batch.images), labels: batch.labels)
        let backwardStart = seconds()
        guard loss.item.isFinite else {
            progress.finish()
            log(
                "Train Epoch: \(epoch) [\(images + batch.count)/\(loader.sampleCount)] Loss: \(loss.item): the loss is no longer finite at step \(batches + 1) "
                    + "(learning rate \(optimizer.learningRate)); stopping before the weights fill with NaN. "
                    + "Try a smaller learning rate (--lr), or normalised inputs.")
            return EpochResult(
                averageLoss: .nan, seconds: seconds(), images: images, loggedLosses: logged, batches: batches)
        }
        loss.backward()
        let stepStart = seconds()
        optimizer.step()
        let stepEnd = seconds()
        lossSum += Double(loss.item)
        batches += 1
        images += batch.count
        let isLogged = (batches - 1) % Swift.max(1, logInterval) == 0 || dryRun
        if isLogged { logged.append((batches, Double(loss.item))) }
        var report = StepReport(
            epoch: epoch, batch: batches, batchesInEpoch: dryRun ? 1 : loader.count,
            imagesDone: images, imagesInEpoch: loader.sampleCount, imagesBefore: images - batch.count,
            loss: Double(loss.item), seconds: stepEnd, isLogged: isLogged)
        report.phases = (backwardStart - forwardStart, stepStart - backwardStart, stepEnd - stepStart)
        progress.step(report)
        if dryRun { break }
    }
    progress.finish()
    return EpochResult(
        averageLoss: lossSum / Double(Swift.max(batches, 1)), seconds: seconds(),
        images: images, loggedLosses: logged, batches: batches)
}
