import Autograd
import Datasets
import Files
import Foundation
import Metrics
import NeuralNetwork
import Optimizers
import Random
import Visualization

/// A whole training run: epochs of `trainEpoch`, an evaluation after each, a StepLR schedule,
/// and optionally a checkpoint after every epoch, resuming from the last one, and an SVG plot of
/// the loss and accuracy. The `mnist` and `cifar10` programs and the tutorials from 03 on all
/// train through it.
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
    /// StepLR's factor on the learning rate after every epoch (1: constant).
    public var gamma: Float = 1
    public var logInterval = 10
    public var dryRun = false
    /// What shows each epoch's progress: PyTorch's `Train Epoch:` lines (through `log`) when nil.
    public var progress: TrainingProgress?
    /// Save a checkpoint here after every epoch.
    public var checkpointDirectory: String?
    /// Continue from the latest checkpoint in `checkpointDirectory`, if there is one.
    public var resume = false
    /// Write the loss and accuracy curves here (SVG) after every epoch.
    public var plotPath: String?
    /// What the evaluation loader holds, for the printed line: "Test set", "Validation set".
    public var evaluationName = "Test set"
    /// Evaluate after the first epoch, every `evaluationInterval`-th and the last (1: every epoch).
    public var evaluationInterval = 1
    /// Print "Epoch N done" and the evaluation line after each epoch.
    public var printsEpochs = true
    /// Called after every epoch, for a program's own lines or charts.
    public var onEpochEnd: ((EpochSummary) -> Void)?
    public var log: (String) -> Void = printLine

    public init(modelName: String, epochs: Int, checkpointDirectory: String? = nil, resume: Bool = false) {
        self.modelName = modelName
        self.epochs = epochs
        self.checkpointDirectory = checkpointDirectory
        self.resume = resume
    }

    /// One finished epoch: its training result and, when it was evaluated, the score.
    public struct EpochSummary {
        public let epoch: Int
        public let training: EpochResult
        public let score: ClassificationScore?
    }

    /// What a run ended with.
    public struct Outcome {
        /// The last evaluation's score.
        public let score: ClassificationScore
        /// Epochs completed, counting those before a resume.
        public let epochsCompleted: Int
        /// True when the loss stopped being finite and training stopped early.
        public let diverged: Bool
    }

    public func train<Train, Test>(
        model: Module, optimizer: Optimizer, trainLoader: DataLoader<Train>,
        testLoader: DataLoader<Test>
    ) throws -> Outcome {
        try checkBeforeTraining(trainLoader: trainLoader)
        let scheduler = StepLR(optimizer: optimizer, stepSize: 1, gamma: gamma)
        var firstEpoch = 1
        var accuracyHistory: [(epoch: Int, accuracy: Double)] = []
        var lossHistory: [(step: Int, loss: Double)] = []
        if resume, let directory = checkpointDirectory,
            let saved = try Checkpoint.loadLatest(from: directory, maximumTensorBytes: maximumTensorBytes(model))
        {
            guard saved.modelName == modelName else {
                throw CheckpointError(
                    path: directory,
                    reason:
                        "holds a checkpoint of model '\(printable(saved.modelName))', not '\(modelName)'; choose another --checkpoint directory"
                )
            }
            try model.loadStateDict(saved.model, checkingFinite: true)
            try optimizer.loadStateTensors(saved.optimizer)
            restoreGenerators(saved.generators, model: model, loader: trainLoader)
            scheduler.setEpoch(saved.epoch)
            firstEpoch = saved.epoch + 1
            accuracyHistory = saved.accuracyHistory
            lossHistory = saved.lossHistory
            log(
                "Resuming \(modelName) from \(directory) after epoch \(saved.epoch) (learning rate \(optimizer.learningRate))"
            )
        } else if resume, let directory = checkpointDirectory {
            log("No checkpoint in \(directory) yet: starting from epoch 1.")
        }
        var score = ClassificationScore()
        var completed = firstEpoch - 1
        guard firstEpoch <= epochs else {
            log("The checkpoint has already completed \(completed) of \(epochs) epochs.")
            return Outcome(score: evaluate(model, on: testLoader), epochsCompleted: completed, diverged: false)
        }
        for epoch in firstEpoch...epochs {
            let result = trainEpoch(
                model: model, optimizer: optimizer, loader: trainLoader, epoch: epoch,
                logInterval: logInterval, dryRun: dryRun, progress: progress, log: log)
            if result.diverged {
                log(
                    checkpointDirectory.map { "The last good checkpoint, after epoch \(completed), is kept in \($0)." }
                        ?? "Use --checkpoint DIR to keep the last good weights of a long run.")
                return Outcome(score: score, epochsCompleted: completed, diverged: true)
            }
            let stepsBefore = (epoch - 1) * trainLoader.count
            lossHistory += result.loggedLosses.map { (stepsBefore + $0.batch, $0.loss) }
            if printsEpochs {
                log(
                    "Epoch \(epoch) done in \(String(format: "%.2f", result.seconds)) s (\(Int(result.imagesPerSecond)) images/s)"
                )
            }
            var epochScore: ClassificationScore?
            if epoch == 1 || epoch % Swift.max(1, evaluationInterval) == 0 || epoch == epochs {
                score = evaluate(model, on: testLoader)
                epochScore = score
                accuracyHistory.append((epoch, score.accuracy))
                if printsEpochs { log("\n\(evaluationName): \(score)\n") }
            }
            onEpochEnd?(EpochSummary(epoch: epoch, training: result, score: epochScore))
            // The loss of the last step was finite, but that step's update may not have been: a
            // checkpoint is only ever written from weights that are all finite.
            if let broken = model.namedParameters().first(where: { $0.parameter.data.contains { !$0.isFinite } }) {
                log(
                    "The weights of \(broken.name) are no longer finite after epoch \(epoch) (learning rate \(optimizer.learningRate)); "
                        + "stopping. Try a smaller learning rate (--lr).")
                log(
                    checkpointDirectory.map { "The last good checkpoint, after epoch \(completed), is kept in \($0)." }
                        ?? "Use --checkpoint DIR to keep the last good weights of a long run.")
                return Outcome(score: score, epochsCompleted: completed, diverged: true)
            }
            scheduler.step()
            completed = epoch
            if let directory = checkpointDirectory {
                try Checkpoint(
                    modelName: modelName, epoch: epoch, model: model.stateDict(),
                    optimizer: optimizer.stateTensors(),
                    generators: generatorStates(model: model, loader: trainLoader),
                    accuracyHistory: accuracyHistory, lossHistory: lossHistory
                ).save(in: directory)
            }
            if let plotPath { try writePlot(plotPath, losses: lossHistory, accuracies: accuracyHistory) }
        }
        return Outcome(score: score, epochsCompleted: completed, diverged: false)
    }

    /// Everything that can be checked before the first step, so that no training time is lost to
    /// it: the training set is not empty; the plot can be written; the checkpoint directory is a
    /// folder (or can be made), and without `resume` holds no checkpoints that this run would
    /// overwrite.
    func checkBeforeTraining<D>(trainLoader: DataLoader<D>) throws {
        guard trainLoader.sampleCount > 0 else {
            throw CheckpointError(path: modelName, reason: "the training set is empty: there is nothing to train on")
        }
        guard epochs >= 1, epochs <= Checkpoint.maximumEpoch else {
            throw CheckpointError(path: modelName, reason: "\(epochs) epochs is outside 1...\(Checkpoint.maximumEpoch)")
        }
        if let plotPath { try FileWriting.checkWritable(plotPath) }
        if let directory = checkpointDirectory {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw FileError(path: directory, action: "save checkpoints", reason: "it is a file, not a folder")
                }
                if !resume, let existing = Checkpoint.existingCheckpoints(in: directory) {
                    throw CheckpointError(
                        path: directory,
                        reason:
                            "holds \(existing); add --resume to continue that run, or choose another --checkpoint directory"
                    )
                }
            } else {
                // The folder the user named is made now, so that a path it cannot be made at fails
                // before the first step.
                try FileWriting.createFolder(directory)
            }
        }
    }

    /// The largest weights or optimiser file a checkpoint of `model` can need: every parameter as
    /// F64 three times over (Adadelta and Adam keep two buffers per parameter), and the header.
    func maximumTensorBytes(_ model: Module) -> Int {
        8 + Safetensors.maximumHeaderSize + 3 * 8 * model.parameterCount
    }

    /// Every random generator the run depends on, by name.
    func generatorStates<D>(model: Module, loader: DataLoader<D>) -> [String: (UInt64, UInt64, UInt64, UInt64)] {
        var states = ["default": DefaultGenerator.state, "loader": loader.generator.state]
        for (name, module) in model.namedModules() {
            if let dropout = module as? Dropout { states["dropout:\(name)"] = dropout.generator.state }
        }
        return states
    }

    func restoreGenerators<D>(
        _ states: [String: (UInt64, UInt64, UInt64, UInt64)], model: Module, loader: DataLoader<D>
    ) {
        if let state = states["default"] { DefaultGenerator.state = state }
        if let state = states["loader"] { loader.generator.state = state }
        for (name, module) in model.namedModules() {
            if let dropout = module as? Dropout, let state = states["dropout:\(name)"] {
                dropout.generator.state = state
            }
        }
    }

    /// Training loss per logged step above, accuracy per evaluated epoch below.
    func writePlot(_ path: String, losses: [(step: Int, loss: Double)], accuracies: [(epoch: Int, accuracy: Double)])
        throws
    {
        var lossChart = LineChart(
            title: "\(modelName): training loss", xLabel: "step (batch)", yLabel: "cross-entropy loss")
        lossChart.add("train loss", points: losses.map { (Double($0.step), $0.loss) })
        let what = evaluationName.replacingOccurrences(of: " set", with: "").lowercased()
        var accuracyChart = LineChart(title: "\(modelName): \(what) accuracy", xLabel: "epoch", yLabel: "accuracy (%)")
        accuracyChart.add("\(what) accuracy", points: accuracies.map { (Double($0.epoch), $0.accuracy * 100) })
        try FileWriting.write(LineChart.svg([lossChart, accuracyChart]), to: path)
    }
}
