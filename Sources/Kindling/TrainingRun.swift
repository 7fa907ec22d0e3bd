import Foundation

/// A whole training run as the `mnist` program does it: epochs of `trainEpoch`, a test after each,
/// a StepLR schedule, and optionally a checkpoint after every epoch, resuming from the last one,
/// and an SVG plot of the loss and accuracy.
///
/// A run resumed from the checkpoint of epoch k ends with exactly the weights of an uninterrupted
/// run with the same seed and thread count: the checkpoint restores the weights, the optimiser's
/// moments, the schedule, the shuffling generator and every dropout generator.
///
/// ```swift
/// var run = TrainingRun(modelName: "convnet", epochs: 5, checkpointDirectory: "runs/convnet")
/// let outcome = try run.train(model: model, optimizer: optimizer, trainLoader: train, testLoader: test)
/// ```
public struct TrainingRun {
    public var modelName: String
    public var epochs: Int
    public var gamma: Float = 1
    public var logInterval = 10
    public var dryRun = false
    public var progress: ProgressStyle = .automatic
    /// Save a checkpoint here after every epoch.
    public var checkpointDirectory: String?
    /// Continue from the latest checkpoint in `checkpointDirectory`, if there is one.
    public var resume = false
    /// Write the loss and accuracy curves here (SVG) after every epoch.
    public var plotPath: String?
    public var log: (String) -> Void = { print($0); fflush(nil) }

    public init(modelName: String, epochs: Int, checkpointDirectory: String? = nil, resume: Bool = false) {
        self.modelName = modelName
        self.epochs = epochs
        self.checkpointDirectory = checkpointDirectory
        self.resume = resume
    }

    /// What a run ended with.
    public struct Outcome {
        public let score: ClassificationScore
        /// Epochs completed, counting those before a resume.
        public let epochsCompleted: Int
        /// True when the loss stopped being finite and training stopped early.
        public let diverged: Bool
    }

    public func train<Train, Test>(model: Module, optimizer: Optimizer, trainLoader: DataLoader<Train>,
                                   testLoader: DataLoader<Test>) throws -> Outcome {
        let scheduler = StepLR(optimizer: optimizer, stepSize: 1, gamma: gamma)
        var firstEpoch = 1
        var accuracyHistory: [(epoch: Int, accuracy: Double)] = []
        var lossHistory: [(step: Int, loss: Double)] = []
        if resume, let directory = checkpointDirectory, let saved = try Checkpoint.loadLatest(from: directory) {
            guard saved.modelName == modelName else {
                throw CheckpointError(path: directory, reason: "holds a checkpoint of model '\(saved.modelName)', not '\(modelName)'; choose another --checkpoint directory")
            }
            try model.loadStateDict(saved.model)
            try optimizer.loadStateTensors(saved.optimizer)
            restoreGenerators(saved.generators, model: model, loader: trainLoader)
            scheduler.setEpoch(saved.epoch)
            firstEpoch = saved.epoch + 1
            accuracyHistory = saved.accuracyHistory
            lossHistory = saved.lossHistory
            log("Resuming \(modelName) from \(directory) after epoch \(saved.epoch) (learning rate \(optimizer.learningRate))")
        }
        var score = ClassificationScore()
        var completed = firstEpoch - 1
        guard firstEpoch <= epochs else {
            log("The checkpoint has already completed \(completed) of \(epochs) epochs.")
            return Outcome(score: evaluate(model, on: testLoader), epochsCompleted: completed, diverged: false)
        }
        for epoch in firstEpoch...epochs {
            let result = trainEpoch(model: model, optimizer: optimizer, loader: trainLoader, epoch: epoch,
                                    logInterval: logInterval, dryRun: dryRun, progress: progress, log: log)
            if result.diverged {
                log(checkpointDirectory.map { "The last good checkpoint, after epoch \(completed), is kept in \($0)." }
                    ?? "Use --checkpoint DIR to keep the last good weights of a long run.")
                return Outcome(score: score, epochsCompleted: completed, diverged: true)
            }
            let stepsBefore = (epoch - 1) * trainLoader.count
            lossHistory += result.loggedLosses.map { (stepsBefore + $0.batch, $0.loss) }
            log("Epoch \(epoch) done in \(String(format: "%.2f", result.seconds)) s (\(Int(result.imagesPerSecond)) images/s)")
            score = evaluate(model, on: testLoader)
            accuracyHistory.append((epoch, score.accuracy))
            log("\nTest set: \(score)\n")
            scheduler.step()
            completed = epoch
            if let directory = checkpointDirectory {
                try Checkpoint(modelName: modelName, epoch: epoch, model: model.stateDict(),
                               optimizer: optimizer.stateTensors(),
                               generators: generatorStates(model: model, loader: trainLoader),
                               accuracyHistory: accuracyHistory, lossHistory: lossHistory).save(in: directory)
            }
            if let plotPath { try writePlot(plotPath, losses: lossHistory, accuracies: accuracyHistory) }
        }
        return Outcome(score: score, epochsCompleted: completed, diverged: false)
    }

    /// Every random generator the run depends on, by name.
    func generatorStates<D>(model: Module, loader: DataLoader<D>) -> [String: (UInt64, UInt64, UInt64, UInt64)] {
        var states = ["default": DefaultGenerator.state, "loader": loader.generator.state]
        for (name, module) in model.namedModules() {
            if let dropout = module as? Dropout { states["dropout:\(name)"] = dropout.generator.state }
        }
        return states
    }

    func restoreGenerators<D>(_ states: [String: (UInt64, UInt64, UInt64, UInt64)], model: Module, loader: DataLoader<D>) {
        if let state = states["default"] { DefaultGenerator.state = state }
        if let state = states["loader"] { loader.generator.state = state }
        for (name, module) in model.namedModules() {
            if let dropout = module as? Dropout, let state = states["dropout:\(name)"] { dropout.generator.state = state }
        }
    }

    /// Training loss per logged step above, test accuracy per epoch below.
    func writePlot(_ path: String, losses: [(step: Int, loss: Double)], accuracies: [(epoch: Int, accuracy: Double)]) throws {
        var lossChart = LineChart(title: "\(modelName): training loss", xLabel: "step (batch)", yLabel: "cross-entropy loss")
        lossChart.add("train loss", points: losses.map { (Double($0.step), $0.loss) })
        var accuracyChart = LineChart(title: "\(modelName): test accuracy", xLabel: "epoch", yLabel: "accuracy (%)")
        accuracyChart.add("test accuracy", points: accuracies.map { (Double($0.epoch), $0.accuracy * 100) })
        try LineChart.svg([lossChart, accuracyChart]).write(toFile: path, atomically: true, encoding: .utf8)
    }
}
