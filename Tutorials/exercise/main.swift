// exercise: the grader of the exercises in Tutorials/Exercises/.
//
//   swift run -c release exercise list            every exercise, its file, and whether it passes
//   swift run -c release exercise check 3.2       grade one; when it passes, run it for real
//   swift run -c release exercise reset 3.2       put the stub back
//
// Each exercise is graded in a child process of this program, so a crash in the code being graded
// (an index out of range, a force-unwrapped nil) or an endless loop is reported as such, with the
// case it happened in, instead of taking the grader down.

import Autograd
import Datasets
import ExerciseSupport
import Exercises
import Files
import Foundation
import MatrixMath
import NeuralNetwork
import ProgramSupport

let usage = """
    usage: exercise <command> [options]

    commands:
      list                 every exercise with the file to edit and whether it passes
      check ID [--no-run]  grade exercise ID (for example 3.2); when it passes, run it for real
                           with your code plugged in (on MNIST, from --data DIR or $KINDLING_DATA)
      check --all          grade every exercise, without the real runs
      reset ID [--force]   put the stub of exercise ID back (--force when the file holds your work)
      reset --all --force  put every stub back
      debug ID [--no-run]  grade exercise ID in this process (no child process): a crash prints
                           Swift's backtrace, naming the line of your file
    The exercises are in Tutorials/Exercises/, one file each; the tutorials say which to do when.
    """

/// The exercises' folder in this checkout: beside this program's own folder.
let exercisesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Exercises").path

func path(of exercise: Exercise) -> String { exercisesFolder + "/" + exercise.fileName }

// MARK: - What each exercise runs

/// How an exercise is graded and run for real, with the learner's function from `Exercises`.
struct Binding {
    let grade: (Grader) throws -> Void
    let run: (_ data: String, _ log: (String) -> Void) throws -> [String]
}

let bindings: [String: Binding] = [
    "1.1": Binding(
        grade: { try MatrixGraders.naiveMatmul(naiveMatmul, grader: $0) },
        run: { _, log in try RealRuns.matmulSpeed(naiveMatmul, size: 256, what: "three loops", log: log) }),
    "1.2": Binding(
        grade: { try MatrixGraders.blockedMatmul(blockedMatmul, grader: $0) },
        run: { _, log in
            try RealRuns.matmulSpeed(
                { try blockedMatmul($0, $1, blockSize: 64) }, size: 512, what: "blocked product (blocks of 64)",
                log: log)
        }),
    "2.1": Binding(
        grade: { try SoftmaxGraders.softmaxRows(softmaxRows, grader: $0) },
        run: { data, log in
            try RealRuns.softmaxRegression(directory: data, log: log) { inputs, labels, weight, bias in
                // The gradient of tutorial 02 with your softmax inside.
                let probabilities = try softmaxRows(inputs.matmul(weight) + bias)
                let truth = Matrix(
                    rows: labels.count, columns: 10,
                    storage: (0..<labels.count * 10).map { labels[$0 / 10] == $0 % 10 ? 1 : 0 })
                let dZ = (probabilities - truth) / Float(labels.count)
                return (inputs.matmul(dZ, transposeSelf: true), dZ.sum(dim: 0))
            }
        }),
    "2.2": Binding(
        grade: { try SoftmaxGraders.softmaxRegressionGradients(softmaxRegressionGradients, grader: $0) },
        run: { data, log in
            try RealRuns.softmaxRegression(directory: data, log: log, gradients: softmaxRegressionGradients)
        }),
    "3.1": Binding(
        grade: { try AutogradGraders.multiplyBackward(multiplyBackward, grader: $0) },
        run: { data, log in
            try RealRuns.softmaxThroughOperations(
                directory: data, what: "your multiply's backward", log: log, multiply: multiplyBackward)
        }),
    "3.2": Binding(
        grade: { try AutogradGraders.expBackward(expBackward, grader: $0) },
        run: { data, log in
            try RealRuns.softmaxThroughOperations(
                directory: data, what: "your exp's backward", log: log, exp: expBackward)
        }),
    "3.3": Binding(
        grade: { try AutogradGraders.matmulBackward(matmulBackward, grader: $0) },
        run: { data, log in
            try RealRuns.mlp(
                directory: data, what: "with your matrix product's backward in both layers", log: log,
                layer: RealRuns.matmulLayer(matmulBackward))
        }),
    "3.4": Binding(
        grade: { try AutogradGraders.linearBackward(linearBackward, grader: $0) },
        run: { data, log in
            try RealRuns.mlp(
                directory: data, what: "with your Linear backward in both layers", log: log,
                layer: RealRuns.linearLayer(linearBackward))
        }),
    "3.5": Binding(
        grade: { try AutogradGraders.topologicalOrder(topologicalOrder, grader: $0) },
        run: { data, log in
            try RealRuns.mlp(
                directory: data, what: "with backward() walking your topological order", log: log,
                backward: { try RealRuns.backward($0, order: topologicalOrder) })
        }),
    "3.6": Binding(
        grade: { try AutogradGraders.backwardPass(backwardPass, grader: $0) },
        run: { data, log in
            try RealRuns.mlp(
                directory: data, what: "with your backward pass instead of backward()", log: log, backward: backwardPass
            )
        }),
    "4.1": Binding(
        grade: {
            try ModuleGraders.twoLayerNetwork({ try TwoLayerNetwork(inputs: $0, hidden: $1, outputs: $2) }, grader: $0)
        },
        run: { data, log in
            try RealRuns.twoLayerNetwork(directory: data, log: log) {
                try TwoLayerNetwork(inputs: $0, hidden: $1, outputs: $2)
            }
        }),
    "4.2": Binding(
        grade: { try ModuleGraders.sgdMomentumStep(sgdMomentumStep, grader: $0) },
        run: { data, log in
            try RealRuns.mlp(
                directory: data, what: "by your SGD (lr 0.01, momentum 0.9)", log: log,
                optimizer: RealRuns.sgd(sgdMomentumStep))
        }),
    "4.3": Binding(
        grade: { try ModuleGraders.adamStep(adamStep, grader: $0) },
        run: { data, log in
            try RealRuns.mlp(
                directory: data, what: "by your Adam (lr 0.001)", log: log, optimizer: RealRuns.adam(adamStep))
        }),
    "5.1": Binding(
        grade: { try ConvolutionGraders.conv2dForward(conv2dForward, grader: $0) },
        run: { data, log in
            var pieces = RealRuns.ConvolutionPieces()
            pieces.forward = conv2dForward
            return try RealRuns.convolution(directory: data, what: "your Conv2d forward", pieces: pieces, log: log)
        }),
    "5.2": Binding(
        grade: { try ConvolutionGraders.conv2dInputGradient(conv2dInputGradient, grader: $0) },
        run: { data, log in
            var pieces = RealRuns.ConvolutionPieces()
            pieces.inputGradient = conv2dInputGradient
            return try RealRuns.convolution(
                directory: data, what: "your Conv2d input gradient", pieces: pieces, log: log)
        }),
    "5.3": Binding(
        grade: { try ConvolutionGraders.conv2dWeightGradient(conv2dWeightGradient, grader: $0) },
        run: { data, log in
            var pieces = RealRuns.ConvolutionPieces()
            pieces.weightGradient = conv2dWeightGradient
            return try RealRuns.convolution(
                directory: data, what: "your Conv2d weight gradient", pieces: pieces, log: log)
        }),
    "5.4": Binding(
        grade: { try ConvolutionGraders.maxPool2dForward(maxPool2dForward, grader: $0) },
        run: { data, log in
            var pieces = RealRuns.ConvolutionPieces()
            pieces.poolForward = maxPool2dForward
            return try RealRuns.convolution(directory: data, what: "your MaxPool2d forward", pieces: pieces, log: log)
        }),
    "5.5": Binding(
        grade: { try ConvolutionGraders.maxPool2dBackward(maxPool2dBackward, grader: $0) },
        run: { data, log in
            var pieces = RealRuns.ConvolutionPieces()
            pieces.poolBackward = maxPool2dBackward
            return try RealRuns.convolution(directory: data, what: "your MaxPool2d backward", pieces: pieces, log: log)
        }),
]

// MARK: - Grading, in the child process

/// Exit codes of the child that grades: how the parent learns the result.
enum Outcome: Int32 {
    case passed = 0
    case failed = 1
    case notStarted = 3
}

/// Grades `exercise` in this process, printing each passed case, then the failure or the real run.
@MainActor
func gradeHere(_ exercise: Exercise, run: Bool, data: String) -> Outcome {
    let binding = bindings[exercise.id]!
    // Each case's name goes to the parent first, so a crash inside it can be named.
    let isChild = ProcessInfo.processInfo.environment["KINDLING_EXERCISE_CHILD"] != nil
    let announce: (String) -> Void = { name in
        if isChild { FileHandle.standardError.write(Data("CASE \(name)\n".utf8)) }
    }
    let result = Grader.grade(onCase: announce, binding.grade)
    switch result {
    case .notStarted:
        return .notStarted
    case .failed(let failure, let passed):
        for name in passed { print("  ✓ \(name)") }
        print("  ✗ \(failure)")
        return .failed
    case .passed(let cases):
        for name in cases { print("  ✓ \(name)") }
        print("Exercise \(exercise.id) passes all \(cases.count) cases.")
        guard run else { return .passed }
        print("\nNow the real thing, with your code plugged in:")
        do {
            let lines = try binding.run(data) { line in print("  " + line) }
            for line in lines { print(line) }
        } catch {
            print("The real run could not start: \(error)")
        }
        return .passed
    }
}

// MARK: - The parent: runs the child, reads its cases, reports crashes and timeouts

/// Runs `exercise debug ID` in a child process and reports how it ended.
func gradeInChild(_ exercise: Exercise, run: Bool, data: String, quiet: Bool, timeout: Double) -> (
    outcome: Outcome?, summary: String
) {
    let process = Process()
    process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = ["debug", exercise.id, "--data", data] + (run ? [] : ["--no-run"])
    let errors = Pipe()
    process.standardError = errors
    if quiet { process.standardOutput = FileHandle.nullDevice }
    let lastCase = LockedText()
    let finished = DispatchSemaphore(value: 0)
    // Swift's backtracer would print a crash's report after this program has moved on, out of
    // order; `exercise debug ID` grades in one process, where the report comes in its place.
    var environment = ProcessInfo.processInfo.environment
    environment["SWIFT_BACKTRACE"] = "enable=no"
    environment["KINDLING_EXERCISE_CHILD"] = "1"
    process.environment = environment
    @Sendable func forward(_ chunk: Data) {
        for line in String(decoding: chunk, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("CASE ") {
                lastCase.value = String(line.dropFirst(5))
            } else if !quiet {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }
    errors.fileHandleForReading.readabilityHandler = { handle in
        let chunk = handle.availableData
        if !chunk.isEmpty { forward(chunk) }
    }
    process.terminationHandler = { _ in finished.signal() }
    fflush(nil)  // what this process printed comes before what the child prints
    do {
        try process.run()
    } catch {
        return (nil, "could not start the grader's child process: \(error)")
    }
    if finished.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        finished.wait()
        errors.fileHandleForReading.readabilityHandler = nil
        return (
            nil,
            "took longer than \(Int(timeout)) s in case \"\(lastCase.value)\" and was stopped: an endless loop, "
                + "or a loop that never reaches its end?"
        )
    }
    errors.fileHandleForReading.readabilityHandler = nil
    // The rest of what the child (and, after a crash, its backtracer) wrote, to the end.
    forward(errors.fileHandleForReading.readDataToEndOfFile())
    if process.terminationReason == .uncaughtSignal {
        return (
            nil,
            "crashed in case \"\(lastCase.value)\" (signal \(process.terminationStatus)): a Swift runtime trap such as an "
                + "index out of range, an arithmetic overflow or a force-unwrapped nil. `swift run -c release exercise "
                + "debug \(exercise.id)` grades it without a child process: the crash then prints Swift's backtrace, "
                + "which names the line of your file"
        )
    }
    return (Outcome(rawValue: process.terminationStatus), "")
}

/// A string shared between the pipe's reader and the main thread.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = "before the first case"
    var value: String {
        get { lock.withLock { text } }
        set { lock.withLock { text = newValue } }
    }
}

func header(_ exercise: Exercise) -> String {
    "Exercise \(exercise.id): \(exercise.title)  (Tutorials/Exercises/\(exercise.fileName))"
}

func notStartedText(_ exercise: Exercise) -> String {
    "Exercise \(exercise.id) is not started: open Tutorials/Exercises/\(exercise.fileName), read the statement at "
        + "its top, and replace the line `throw ExerciseNotStarted(\"\(exercise.id)\")` with your code."
}

// MARK: - Commands

var arguments = CommandLineArguments(usage: usage)
guard let command = arguments.subcommand() else {
    printError("exercise: which command? list, check or reset (exercise --help shows them)")
    exit(2)
}

/// The exercise named by the next argument, or exit with the list of ids.
@MainActor
func exerciseArgument() -> Exercise {
    guard let id = arguments.subcommand() else {
        printError(
            "exercise \(command): which exercise? for example `exercise \(command) 3.2` (`exercise list` shows all)")
        exit(2)
    }
    guard let exercise = ExerciseCatalogue.exercise(id) else {
        printError(
            "exercise \(command): there is no exercise \(printable(id)); they are "
                + ExerciseCatalogue.all.map(\.id).joined(separator: ", "))
        exit(2)
    }
    return exercise
}

switch command {
case "debug":
    // Grading in this very process: what the child of `check` and `list` runs, and what a learner
    // runs to see the backtrace of a crash.
    let run = !arguments.flag("--no-run")
    let data = arguments.dataDirectory()
    let exercise = exerciseArgument()
    arguments.finish()
    exit(gradeHere(exercise, run: run, data: data).rawValue)

case "list":
    let data = arguments.dataDirectory()
    arguments.finish()
    print("Exercises (edit the file, then `swift run -c release exercise check ID`):\n")
    var passing = 0
    for exercise in ExerciseCatalogue.all {
        let (outcome, summary) = gradeInChild(exercise, run: false, data: data, quiet: true, timeout: 120)
        let status: String
        switch outcome {
        case .passed:
            status = "passes"
            passing += 1
        case .notStarted: status = "not started"
        case .failed: status = "does not pass yet"
        case nil: status = summary.hasPrefix("crashed") ? "crashes" : "stopped (too slow)"
        }
        print(
            "  \(exercise.id)  \(exercise.title.padding(toLength: 48, withPad: " ", startingAt: 0))"
                + "  \(status.padding(toLength: 17, withPad: " ", startingAt: 0))  Tutorials/Exercises/\(exercise.fileName)"
        )
    }
    print("\n\(passing) of \(ExerciseCatalogue.all.count) pass.")

case "check":
    let all = arguments.flag("--all")
    let run = !arguments.flag("--no-run") && !all
    let data = arguments.dataDirectory()
    let exercises = all ? ExerciseCatalogue.all : [exerciseArgument()]
    arguments.finish()
    var failures = 0
    for exercise in exercises {
        print(header(exercise))
        let (outcome, summary) = gradeInChild(
            exercise, run: run, data: data, quiet: false, timeout: run ? 1800 : 300)
        switch outcome {
        case .passed: break
        case .notStarted:
            print(notStartedText(exercise))
            failures += 1
        case .failed:
            print("Exercise \(exercise.id) does not pass yet: fix the case above and check again.")
            failures += 1
        case nil:
            print("Exercise \(exercise.id) \(summary)")
            failures += 1
        }
        if all { print("") }
    }
    if all { print("\(exercises.count - failures) of \(exercises.count) exercises pass.") }
    exit(failures == 0 ? 0 : 1)

case "reset":
    let all = arguments.flag("--all")
    let force = arguments.flag("--force")
    let exercises = all ? ExerciseCatalogue.all : [exerciseArgument()]
    arguments.finish()
    for exercise in exercises {
        let file = path(of: exercise)
        let current = try? String(contentsOfFile: file, encoding: .utf8)
        if current == exercise.stubSource {
            print("Tutorials/Exercises/\(exercise.fileName) is already the stub.")
            continue
        }
        if current != nil && !force {
            printError(
                "exercise reset: Tutorials/Exercises/\(exercise.fileName) holds your work; "
                    + "`exercise reset \(all ? "--all" : exercise.id) --force` replaces it with the stub (your work is lost)"
            )
            exit(1)
        }
        runOrExit { try FileWriting.write(exercise.stubSource, to: file) }
        print("Tutorials/Exercises/\(exercise.fileName): the stub is back.")
    }

default:
    printError("exercise: unknown command '\(printable(command))': list, check or reset (exercise --help shows them)")
    exit(2)
}
