import Autograd
import ExerciseSupport
import Exercises
import Foundation
import MatrixMath
import NeuralNetwork
import Testing

typealias ExerciseForward = ConvolutionGraders.Forward
typealias ExerciseInputGradient = ConvolutionGraders.InputGradient
typealias ExerciseWeightGradient = ConvolutionGraders.WeightGradient
typealias ExercisePoolForward = ConvolutionGraders.PoolForward
typealias ExercisePoolBackward = ConvolutionGraders.PoolBackward

/// How one exercise is graded with a given answer: the library's (Solutions/), the stub
/// (Tutorials/Exercises/, as committed), or a planted mistake (WrongAnswers.swift).
struct Entry: CustomTestStringConvertible, Sendable {
    let id: String
    let reference: @Sendable () -> GradeResult
    let stub: @Sendable () -> GradeResult
    let wrong: [(name: String, grade: @Sendable () -> GradeResult)]
    var testDescription: String { "exercise \(id)" }
}

func graded(_ body: @escaping (Grader) throws -> Void) -> @Sendable () -> GradeResult {
    nonisolated(unsafe) let body = body
    return { Grader.grade(body) }
}

/// The stub as committed, and whether the file on disk is still exactly the stub (a learner's
/// edits make the stub test stand aside: it is about the untouched stub).
func stubIsPristine(_ id: String) -> Bool {
    let exercise = ExerciseCatalogue.exercise(id)!
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tutorials/Exercises")
    return (try? String(contentsOf: folder.appendingPathComponent(exercise.fileName), encoding: .utf8))
        == exercise.stubSource
}

let entries: [Entry] = [
    Entry(
        id: "1.1", reference: graded { try MatrixGraders.naiveMatmul(naiveMatmul, grader: $0) },
        stub: graded { try MatrixGraders.naiveMatmul(Exercises.naiveMatmul, grader: $0) },
        wrong: [
            ("B read as transposed", graded { try MatrixGraders.naiveMatmul(WrongMatmul.bTransposed, grader: $0) }),
            ("assigning instead of adding", graded { try MatrixGraders.naiveMatmul(WrongMatmul.assigns, grader: $0) }),
            ("stopping one short along k", graded { try MatrixGraders.naiveMatmul(WrongMatmul.skipsLast, grader: $0) }),
        ]),
    Entry(
        id: "1.2", reference: graded { try MatrixGraders.blockedMatmul(blockedMatmul, grader: $0) },
        stub: graded { try MatrixGraders.blockedMatmul(Exercises.blockedMatmul, grader: $0) },
        wrong: [
            (
                "dropping the partial edge tiles",
                graded { try MatrixGraders.blockedMatmul(WrongMatmul.dropsEdges, grader: $0) }
            ),
            (
                "overwriting C's tile for each block along k",
                graded { try MatrixGraders.blockedMatmul(WrongMatmul.overwritesAcrossK, grader: $0) }
            ),
        ]),
    Entry(
        id: "2.1", reference: graded { try SoftmaxGraders.softmaxRows(softmaxRows, grader: $0) },
        stub: graded { try SoftmaxGraders.softmaxRows(Exercises.softmaxRows, grader: $0) },
        wrong: [
            (
                "no max subtraction (overflows)",
                graded { try SoftmaxGraders.softmaxRows(WrongSoftmax.unstable, grader: $0) }
            ),
            (
                "normalised down the columns",
                graded { try SoftmaxGraders.softmaxRows(WrongSoftmax.columns, grader: $0) }
            ),
            (
                "exp without normalising",
                graded { try SoftmaxGraders.softmaxRows(WrongSoftmax.unnormalised, grader: $0) }
            ),
        ]),
    Entry(
        id: "2.2",
        reference: graded { try SoftmaxGraders.softmaxRegressionGradients(softmaxRegressionGradients, grader: $0) },
        stub: graded {
            try SoftmaxGraders.softmaxRegressionGradients(Exercises.softmaxRegressionGradients, grader: $0)
        },
        wrong: [
            (
                "the gradient without the softmax",
                graded { try SoftmaxGraders.softmaxRegressionGradients(WrongSoftmax.withoutSoftmax, grader: $0) }
            ),
            (
                "missing the 1/batch",
                graded { try SoftmaxGraders.softmaxRegressionGradients(WrongSoftmax.withoutMean, grader: $0) }
            ),
            (
                "the weight gradient transposed",
                graded { try SoftmaxGraders.softmaxRegressionGradients(WrongSoftmax.transposed, grader: $0) }
            ),
            (
                "the bias gradient of the first image only",
                graded { try SoftmaxGraders.softmaxRegressionGradients(WrongSoftmax.firstRowBias, grader: $0) }
            ),
        ]),
    Entry(
        id: "3.1", reference: graded { try AutogradGraders.multiplyBackward(multiplyBackward, grader: $0) },
        stub: graded { try AutogradGraders.multiplyBackward(Exercises.multiplyBackward, grader: $0) },
        wrong: [
            (
                "the two gradients swapped",
                graded { try AutogradGraders.multiplyBackward(WrongAutograd.multiplySwapped, grader: $0) }
            ),
            (
                "forgetting the incoming gradient",
                graded { try AutogradGraders.multiplyBackward(WrongAutograd.multiplyWithoutGradient, grader: $0) }
            ),
        ]),
    Entry(
        id: "3.2", reference: graded { try AutogradGraders.expBackward(expBackward, grader: $0) },
        stub: graded { try AutogradGraders.expBackward(Exercises.expBackward, grader: $0) },
        wrong: [
            ("gradient times x", graded { try AutogradGraders.expBackward(WrongAutograd.expTimesInput, grader: $0) }),
            (
                "exp(x) without the gradient",
                graded { try AutogradGraders.expBackward(WrongAutograd.expWithoutGradient, grader: $0) }
            ),
        ]),
    Entry(
        id: "3.3", reference: graded { try AutogradGraders.matmulBackward(matmulBackward, grader: $0) },
        stub: graded { try AutogradGraders.matmulBackward(Exercises.matmulBackward, grader: $0) },
        wrong: [
            (
                "dL/dB transposed",
                graded { try AutogradGraders.matmulBackward(WrongAutograd.matmulTransposedB, grader: $0) }
            ),
            (
                "the two gradients swapped",
                graded { try AutogradGraders.matmulBackward(WrongAutograd.matmulSwapped, grader: $0) }
            ),
        ]),
    Entry(
        id: "3.4", reference: graded { try AutogradGraders.linearBackward(linearBackward, grader: $0) },
        stub: graded { try AutogradGraders.linearBackward(Exercises.linearBackward, grader: $0) },
        wrong: [
            (
                "the weight gradient transposed",
                graded { try AutogradGraders.linearBackward(WrongAutograd.linearTransposedWeight, grader: $0) }
            ),
            (
                "the bias gradient averaged",
                graded { try AutogradGraders.linearBackward(WrongAutograd.linearMeanBias, grader: $0) }
            ),
        ]),
    Entry(
        id: "3.5", reference: graded { try AutogradGraders.topologicalOrder(topologicalOrder, grader: $0) },
        stub: graded { try AutogradGraders.topologicalOrder(Exercises.topologicalOrder, grader: $0) },
        wrong: [
            (
                "breadth-first, reversed",
                graded { try AutogradGraders.topologicalOrder(WrongAutograd.breadthFirst, grader: $0) }
            ),
            (
                "no visited set",
                graded { try AutogradGraders.topologicalOrder(WrongAutograd.withoutVisited, grader: $0) }
            ),
            ("leaves included", graded { try AutogradGraders.topologicalOrder(WrongAutograd.withLeaves, grader: $0) }),
        ]),
    Entry(
        id: "3.6", reference: graded { try AutogradGraders.backwardPass(backwardPass, grader: $0) },
        stub: graded { try AutogradGraders.backwardPass(Exercises.backwardPass, grader: $0) },
        wrong: [
            (
                "overwriting instead of adding a second use's gradient",
                graded { try AutogradGraders.backwardPass({ WrongAutograd.walk($0, overwrite: true) }, grader: $0) }
            ),
            (
                "replacing .grad instead of accumulating",
                graded {
                    try AutogradGraders.backwardPass({ WrongAutograd.walk($0, replaceLeafGrad: true) }, grader: $0)
                }
            ),
            (
                "walking in forward order",
                graded { try AutogradGraders.backwardPass({ WrongAutograd.walk($0, forwardOrder: true) }, grader: $0) }
            ),
        ]),
    Entry(
        id: "4.1",
        reference: graded {
            try ModuleGraders.twoLayerNetwork({ try TwoLayerNetwork(inputs: $0, hidden: $1, outputs: $2) }, grader: $0)
        },
        stub: graded {
            try ModuleGraders.twoLayerNetwork(
                { try Exercises.TwoLayerNetwork(inputs: $0, hidden: $1, outputs: $2) }, grader: $0)
        },
        wrong: [
            ("no ReLU", graded { try ModuleGraders.twoLayerNetwork({ WrongModules.NoReLU($0, $1, $2) }, grader: $0) }),
            (
                "weights as plain Tensors, not Parameters",
                graded { try ModuleGraders.twoLayerNetwork({ WrongModules.PlainTensors($0, $1, $2) }, grader: $0) }
            ),
            (
                "all weights zero",
                graded { try ModuleGraders.twoLayerNetwork({ WrongModules.Zeros($0, $1, $2) }, grader: $0) }
            ),
        ]),
    Entry(
        id: "4.2",
        reference: graded {
            try ModuleGraders.sgdMomentumStep(
                {
                    try sgdMomentumStep(
                        parameter: &$0, gradient: $1, velocity: &$2, learningRate: $3, momentum: $4, weightDecay: $5)
                }, grader: $0)
        },
        stub: graded {
            try ModuleGraders.sgdMomentumStep(
                {
                    try Exercises.sgdMomentumStep(
                        parameter: &$0, gradient: $1, velocity: &$2, learningRate: $3, momentum: $4, weightDecay: $5)
                }, grader: $0)
        },
        wrong: [
            (
                "a velocity of steps (lr inside)",
                graded { try ModuleGraders.sgdMomentumStep(WrongModules.sgdVelocityOfSteps, grader: $0) }
            ),
            (
                "weight decay after the momentum",
                graded { try ModuleGraders.sgdMomentumStep(WrongModules.sgdDecayAfter, grader: $0) }
            ),
            (
                "the velocity never kept",
                graded { try ModuleGraders.sgdMomentumStep(WrongModules.sgdForgetsVelocity, grader: $0) }
            ),
        ]),
    Entry(
        id: "4.3",
        reference: graded {
            try ModuleGraders.adamStep(
                {
                    try adamStep(
                        parameter: &$0, gradient: $1, m: &$2, v: &$3, step: $4, learningRate: $5, beta1: $6, beta2: $7,
                        epsilon: $8)
                }, grader: $0)
        },
        stub: graded {
            try ModuleGraders.adamStep(
                {
                    try Exercises.adamStep(
                        parameter: &$0, gradient: $1, m: &$2, v: &$3, step: $4, learningRate: $5, beta1: $6, beta2: $7,
                        epsilon: $8)
                }, grader: $0)
        },
        wrong: [
            (
                "Adam without bias correction",
                graded { try ModuleGraders.adamStep(WrongModules.adamWithoutCorrection, grader: $0) }
            ),
            (
                "ε inside the square root",
                graded { try ModuleGraders.adamStep(WrongModules.adamEpsilonInside, grader: $0) }
            ),
        ]),
    Entry(
        id: "5.1", reference: graded { try ConvolutionGraders.conv2dForward(conv2dForward, grader: $0) },
        stub: graded { try ConvolutionGraders.conv2dForward(Exercises.conv2dForward, grader: $0) },
        wrong: [
            (
                "right only for stride 1",
                graded {
                    try ConvolutionGraders.conv2dForward(WrongConvolution.forward(.init(strideOne: true)), grader: $0)
                }
            ),
            (
                "right only without padding",
                graded {
                    try ConvolutionGraders.conv2dForward(WrongConvolution.forward(.init(noPadding: true)), grader: $0)
                }
            ),
            (
                "no bias",
                graded {
                    try ConvolutionGraders.conv2dForward(WrongConvolution.forward(.init(noBias: true)), grader: $0)
                }
            ),
            (
                "the kernel flipped (true convolution)",
                graded {
                    try ConvolutionGraders.conv2dForward(
                        WrongConvolution.forward(.init(flippedKernel: true)), grader: $0)
                }
            ),
        ]),
    Entry(
        id: "5.2", reference: graded { try ConvolutionGraders.conv2dInputGradient(conv2dInputGradient, grader: $0) },
        stub: graded { try ConvolutionGraders.conv2dInputGradient(Exercises.conv2dInputGradient, grader: $0) },
        wrong: [
            (
                "assigning where windows overlap",
                graded {
                    try ConvolutionGraders.conv2dInputGradient(
                        WrongConvolution.inputGradient(.init(assignInsteadOfAdd: true)), grader: $0)
                }
            ),
            (
                "right only for stride 1",
                graded {
                    try ConvolutionGraders.conv2dInputGradient(
                        WrongConvolution.inputGradient(.init(strideOne: true)), grader: $0)
                }
            ),
            (
                "right only without padding",
                graded {
                    try ConvolutionGraders.conv2dInputGradient(
                        WrongConvolution.inputGradient(.init(noPadding: true)), grader: $0)
                }
            ),
        ]),
    Entry(
        id: "5.3", reference: graded { try ConvolutionGraders.conv2dWeightGradient(conv2dWeightGradient, grader: $0) },
        stub: graded { try ConvolutionGraders.conv2dWeightGradient(Exercises.conv2dWeightGradient, grader: $0) },
        wrong: [
            (
                "the first image of the batch only",
                graded {
                    try ConvolutionGraders.conv2dWeightGradient(
                        WrongConvolution.weightGradient(.init(firstImageOnly: true)), grader: $0)
                }
            ),
            (
                "the bias gradient averaged",
                graded {
                    try ConvolutionGraders.conv2dWeightGradient(
                        WrongConvolution.weightGradient(.init(meanBias: true)), grader: $0)
                }
            ),
            (
                "right only for stride 1",
                graded {
                    try ConvolutionGraders.conv2dWeightGradient(
                        WrongConvolution.weightGradient(.init(strideOne: true)), grader: $0)
                }
            ),
        ]),
    Entry(
        id: "5.4", reference: graded { try ConvolutionGraders.maxPool2dForward(maxPool2dForward, grader: $0) },
        stub: graded { try ConvolutionGraders.maxPool2dForward(Exercises.maxPool2dForward, grader: $0) },
        wrong: [
            (
                "average pooling",
                graded { try ConvolutionGraders.maxPool2dForward(WrongConvolution.poolForward(.average), grader: $0) }
            ),
            (
                "windows a kernel apart whatever the stride",
                graded {
                    try ConvolutionGraders.maxPool2dForward(WrongConvolution.poolForward(.strideIsKernel), grader: $0)
                }
            ),
        ]),
    Entry(
        id: "5.5", reference: graded { try ConvolutionGraders.maxPool2dBackward(maxPool2dBackward, grader: $0) },
        stub: graded { try ConvolutionGraders.maxPool2dBackward(Exercises.maxPool2dBackward, grader: $0) },
        wrong: [
            (
                "the gradient to every element of the window",
                graded {
                    try ConvolutionGraders.maxPool2dBackward(WrongConvolution.poolBackward(.gradientToAll), grader: $0)
                }
            ),
            (
                "the gradient to the last maximum on ties",
                graded {
                    try ConvolutionGraders.maxPool2dBackward(WrongConvolution.poolBackward(.lastMaximum), grader: $0)
                }
            ),
            (
                "overlapping windows overwriting each other",
                graded {
                    try ConvolutionGraders.maxPool2dBackward(WrongConvolution.poolBackward(.overwrite), grader: $0)
                }
            ),
        ]),
]

@Suite("The exercise graders: the library's answer passes, the stub is not started, every planted mistake fails")
struct ExerciseGraderTests {
    @Test("Every exercise in the catalogue has a grader entry here, and there are at least 12 across tutorials 01-05")
    func coverage() {
        #expect(Set(entries.map(\.id)) == Set(ExerciseCatalogue.all.map(\.id)))
        #expect(ExerciseCatalogue.all.count >= 12)
        #expect(Set(ExerciseCatalogue.all.map(\.tutorial)) == [1, 2, 3, 4, 5])
    }

    @Test("The library's own implementation passes every case", arguments: entries)
    func referencePasses(entry: Entry) {
        let result = entry.reference()
        #expect(result.isPassed, "\(result)")
    }

    @Test("The untouched stub is reported as not started (never a crash, never a pass)", arguments: entries)
    func stubNotStarted(entry: Entry) throws {
        try #require(
            stubIsPristine(entry.id) || ProcessInfo.processInfo.environment["KINDLING_EXERCISES_PRISTINE"] == nil,
            "CI expects Tutorials/Exercises/ to hold the stubs exactly as `exercise reset` writes them")
        guard stubIsPristine(entry.id) else { return }  // your own work is graded by `exercise check`
        #expect(entry.stub() == .notStarted)
    }

    @Test("Every planted wrong answer fails, naming a case, and is never taken for not started", arguments: entries)
    func wrongAnswersFail(entry: Entry) {
        #expect(!entry.wrong.isEmpty)
        for (name, grade) in entry.wrong {
            let result = grade()
            guard case .failed(let failure, _) = result else {
                Issue.record("\(entry.id), \(name): expected a failure, got \(result)")
                continue
            }
            #expect(
                !failure.caseName.isEmpty && !failure.detail.isEmpty && !failure.hint.isEmpty, "\(entry.id), \(name)")
        }
    }

    @Test("Each stub file is what `exercise reset` writes: statement, pointers, and a body that only throws")
    func stubSources() {
        for exercise in ExerciseCatalogue.all {
            let source = exercise.stubSource
            #expect(source.contains("// Exercise \(exercise.id): \(exercise.title)"))
            #expect(source.contains("swift run -c release exercise check \(exercise.id)"))
            // Every file the pointer names exists.
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let named = exercise.taughtIn.split(whereSeparator: { " ,()".contains($0) }).filter {
                $0.hasSuffix(".swift") && $0.contains("/")
            }
            #expect(!named.isEmpty)
            for path in named {
                #expect(
                    FileManager.default.fileExists(atPath: root.appendingPathComponent(String(path)).path), "\(path)")
            }
            #expect(source.contains("throw ExerciseNotStarted(\"\(exercise.id)\")"))
        }
    }
}
