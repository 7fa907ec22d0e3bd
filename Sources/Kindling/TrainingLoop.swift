import Foundation

/// What one epoch of training did.
public struct EpochResult: Sendable {
    public let averageLoss: Double
    public let seconds: Double
    public let images: Int
    /// The loss at every logged step: (batch number within the epoch, from 1; loss).
    public let loggedLosses: [(batch: Int, loss: Double)]
    /// Batches run.
    public let batches: Int
    public var imagesPerSecond: Double { Double(images) / Swift.max(seconds, 1e-9) }
}

/// One epoch of the standard loop (zero the gradients, forward, loss, backward, step) over
/// `loader`, printing the progress lines of PyTorch's MNIST example every `logInterval` batches:
///
///     Train Epoch: 1 [5800/60000 (10%)] Loss: 0.489694
///
/// In a terminal (`progress: .automatic`), a one-line progress bar is redrawn in place instead.
/// If the loss stops being finite, the epoch stops at once and the result says so
/// (`diverged`), so that no further step spreads NaN through the weights.
///
/// The loss is cross-entropy, which accepts raw scores or log-probabilities alike (log-softmax of
/// log-probabilities changes nothing), so one loop serves every model here.
///
/// - Parameters:
///   - dryRun: stop after the first batch (a quick check that everything runs).
///   - log: where the lines go (standard output by default, flushed line by line so that progress
///     reaches a log file or a pipe as it happens).
public func trainEpoch<Dataset>(model: Module, optimizer: Optimizer, loader: DataLoader<Dataset>, epoch: Int,
                                logInterval: Int = 10, dryRun: Bool = false, progress: ProgressStyle = .automatic,
                                log: (String) -> Void = { print($0); fflush(nil) }) -> EpochResult {
    model.train()
    let watch = Stopwatch()
    var lossSum = 0.0, batches = 0, images = 0
    var logged: [(batch: Int, loss: Double)] = []
    let drawBar = progress == .bar || (progress == .automatic && ProgressBar.isTerminal)
    var bar = ProgressBar(label: "Epoch \(epoch)", total: dryRun ? 1 : loader.count)
    var diverged = false
    for batch in loader {
        optimizer.zeroGrad()
        let loss = crossEntropy(model(batch.images), labels: batch.labels)
        guard loss.item.isFinite else {
            diverged = true
            if drawBar { bar.finish() }
            log("Train Epoch: \(epoch) [\(images + batch.count)/\(loader.sampleCount)] Loss: \(loss.item): the loss is no longer finite at step \(batches + 1) "
                + "(learning rate \(optimizer.learningRate)); stopping before the weights fill with NaN. "
                + "Try a smaller learning rate (--lr), or normalised inputs.")
            break
        }
        loss.backward()
        optimizer.step()
        lossSum += Double(loss.item)
        batches += 1
        images += batch.count
        if (batches - 1) % Swift.max(1, logInterval) == 0 || dryRun {
            logged.append((batches, Double(loss.item)))
            if !drawBar {
                let percent = 100 * Double(images) / Double(Swift.max(1, loader.sampleCount))
                log("Train Epoch: \(epoch) [\(images)/\(loader.sampleCount) (\(Int(percent))%)] Loss: \(String(format: "%.6f", loss.item))")
            }
        }
        if drawBar {
            bar.update(done: batches, loss: Double(loss.item), imagesPerSecond: Double(images) / Swift.max(watch.seconds, 1e-9))
        }
        if dryRun { break }
    }
    if drawBar && !diverged { bar.finish() }
    return EpochResult(averageLoss: diverged ? .nan : lossSum / Double(Swift.max(batches, 1)), seconds: watch.seconds,
                       images: images, loggedLosses: logged, batches: batches)
}

/// How `trainEpoch` shows progress.
public enum ProgressStyle: Sendable {
    /// A progress bar in a terminal, progress lines otherwise.
    case automatic
    /// Always the `Train Epoch: ...` lines.
    case lines
    /// Always the progress bar.
    case bar
}

extension EpochResult {
    /// True when training stopped because the loss was no longer finite.
    public var diverged: Bool { averageLoss.isNaN }
}
