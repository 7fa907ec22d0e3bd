import Foundation

/// What one epoch of training did.
public struct EpochResult: Sendable {
    public let averageLoss: Double
    public let seconds: Double
    public let images: Int
    public var imagesPerSecond: Double { Double(images) / Swift.max(seconds, 1e-9) }
}

/// One epoch of the standard loop (zero the gradients, forward, loss, backward, step) over
/// `loader`, printing the progress lines of PyTorch's MNIST example every `logInterval` batches:
///
///     Train Epoch: 1 [5800/60000 (10%)] Loss: 0.489694
///
/// The loss is cross-entropy, which accepts raw scores or log-probabilities alike (log-softmax of
/// log-probabilities changes nothing), so one loop serves every model here.
///
/// - Parameters:
///   - dryRun: stop after the first batch (a quick check that everything runs).
///   - log: where the lines go (standard output by default, flushed line by line so that progress
///     reaches a log file or a pipe as it happens).
public func trainEpoch<Dataset>(model: Module, optimizer: Optimizer, loader: DataLoader<Dataset>, epoch: Int,
                                logInterval: Int = 10, dryRun: Bool = false,
                                log: (String) -> Void = { print($0); fflush(nil) }) -> EpochResult {
    model.train()
    let watch = Stopwatch()
    var lossSum = 0.0, batches = 0, images = 0
    for batch in loader {
        optimizer.zeroGrad()
        let loss = crossEntropy(model(batch.images), labels: batch.labels)
        loss.backward()
        optimizer.step()
        lossSum += Double(loss.item)
        batches += 1
        images += batch.count
        if (batches - 1) % Swift.max(1, logInterval) == 0 || dryRun {
            let percent = 100 * Double(images) / Double(Swift.max(1, loader.sampleCount))
            log("Train Epoch: \(epoch) [\(images)/\(loader.sampleCount) (\(Int(percent))%)] Loss: \(String(format: "%.6f", loss.item))")
        }
        if dryRun { break }
    }
    return EpochResult(averageLoss: lossSum / Double(Swift.max(batches, 1)), seconds: watch.seconds, images: images)
}
