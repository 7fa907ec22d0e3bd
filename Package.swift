// swift-tools-version: 6.0
//
// Kindling: a pure-Swift, dependency-free deep-learning framework that teaches how a handwritten
// digit classifier grows from a matrix product into a convolutional network.
//
// The library is one product, `Kindling`, made of small modules that each hold one stage of the
// progression (DESIGN.md draws the graph; `swift Scripts/check-modules.swift` checks that every
// target below declares exactly the modules its files import).

import Foundation
import PackageDescription

// MARK: - Build flags
//
// The hot loops use `SIMD8<Float>.addingProduct` (and, on AVX-512, `SIMD16`), which is one fused
// multiply-add instruction only when the compiler may assume the CPU has one. Without a target-CPU
// flag every lane becomes a call to the C library's `fmaf`, about 100 times slower. So, in
// Kindling's own checkout, every target is compiled for the machine that builds it
// (`-target-cpu native`): AVX-512 where the CPU has it, AVX2 + FMA on any x86-64 from 2013 on,
// NEON on arm64 (which needs no flag). Choose another with KINDLING_TARGET_CPU:
//
//   KINDLING_TARGET_CPU=haswell swift build -c release  # AVX2 + FMA: runs on any x86-64 since 2013
//   KINDLING_TARGET_CPU=none    swift build -c release  # no flag: runs on any x86-64, slowly
//
// (`x86-64-v3` is rejected by the toolchain; `haswell` is the same feature level.) A `native`
// build runs only on CPUs with the builder's features: build where you run, or choose `haswell`.
//
// The manifest also tells the code which register tile to use, as the compilation condition
// KINDLING_AVX512: defined when the build targets a CPU whose AVX-512 FMAs run at full width (read
// from /proc/cpuinfo for `native`, or from the CPU's name; see `targetsAVX512` below), so the
// kernels choose their register tiles with `#if`.
//
// SwiftPM refuses such flags (`unsafeFlags`) in a package fetched as a versioned dependency of
// another one. Fetched packages live in a `checkouts` folder of the other package's build
// directory, so there this manifest adds none, and the other package chooses the CPU for all of
// its code, Kindling's included, on its own command line (flags given there reach dependencies):
//
//   swift build -c release -Xswiftc -target-cpu -Xswiftc native
//
// Without that flag a dependent package still builds and computes the same results, only slowly.

let environment = ProcessInfo.processInfo.environment

/// True when SwiftPM fetched this package for another one (a dependency declared by URL and version).
let isFetchedDependency = Context.packageDirectory.split(separator: "/").contains("checkouts")

let targetCPU: String? = {
    guard !isFetchedDependency else { return nil }
    #if arch(x86_64)
    let requested = environment["KINDLING_TARGET_CPU"] ?? "native"
    #else
    // arm64 always has NEON with fused multiply-add: no flag is needed unless one is asked for.
    let requested = environment["KINDLING_TARGET_CPU"] ?? "none"
    #endif
    return requested == "none" || requested.isEmpty ? nil : requested
}()

/// The building machine's CPU, from Linux's /proc/cpuinfo: its feature flags, vendor and family
/// (empty elsewhere).
let hostCPU: (features: Set<String>, vendor: String, family: Int) = {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return ([], "", 0) }
    let lines = text.split(separator: "\n")
    func value(_ key: String) -> String {
        guard let line = lines.first(where: { $0.hasPrefix(key) }), let colon = line.firstIndex(of: ":") else {
            return ""
        }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return (
        Set(value("flags").split(separator: " ").map(String.init)), value("vendor_id"), Int(value("cpu family")) ?? 0
    )
}()

/// Whether the kernels use AVX-512's wider register tile (KINDLING_AVX512): the target CPU has
/// AVX-512F and runs a 512-bit FMA at full width. Zen 4 (AMD family 25) splits each 512-bit FMA in
/// two 256-bit halves, so there the AVX-512 tile is no faster (measured: the same 91% of peak at
/// 512^3) and wastes more on narrow products (a 48-column convolution at 66% against 96%): a
/// `native` build on Zen 4 keeps the AVX2 tile. Name a CPU to choose (`skylake-avx512` tests the
/// AVX-512 tile on any AVX-512 machine).
let targetsAVX512: Bool = {
    guard let cpu = targetCPU else { return false }
    if cpu == "native" {
        let halfWidthFMA = hostCPU.vendor == "AuthenticAMD" && hostCPU.family == 25
        return hostCPU.features.contains("avx512f") && !halfWidthFMA
    }
    let avx512CPUs = [
        "skylake-avx512", "cascadelake", "cooperlake", "cannonlake", "icelake-client", "icelake-server", "tigerlake",
        "rocketlake", "sapphirerapids", "emeraldrapids", "graniterapids", "znver5", "x86-64-v4",
    ]
    return avx512CPUs.contains(cpu)
}()

/// Every target's settings: the CPU flag above, and Swift's rule that a file sees only the members
/// (extensions included) of modules it imports itself, so that each file's imports tell the truth.
let settings: [SwiftSetting] =
    (targetCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []) + (targetsAVX512 ? [.define("KINDLING_AVX512")] : [])
    + [.enableUpcomingFeature("MemberImportVisibility")]

// MARK: - Targets

/// A library module: `Sources/NAME/`.
func library(_ name: String, _ dependencies: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: dependencies, swiftSettings: settings)
}

/// A module's tests: `Tests/NAMETests/`.
func tests(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .testTarget(name: "\(name)Tests", dependencies: dependencies, swiftSettings: settings)
}

/// A tutorial executable: `Tutorials/NN-Topic/`, product `tutorialNN`.
func tutorial(_ number: String, _ folder: String) -> Target {
    .executableTarget(
        name: "tutorial\(number)",
        dependencies: ["Kindling", "ProgramSupport"] + (number == "06" ? [] : ["ExerciseSupport"]),
        path: "Tutorials/\(number)-\(folder)", swiftSettings: settings)
}

/// A fuzz target: `Fuzz/NAME/`, product `fuzz-NAME`, one file whose C entry point runs a
/// deterministic mutation fuzzer, or libFuzzer when built with -DFUZZING. It is compiled as a
/// library file (no top-level code), so that entry point is the program's only `main`. Only
/// Kindling's own checkout builds these.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: "fuzz-\(name)", dependencies: ["FuzzHarness"] + dependencies, path: "Fuzz/\(name)",
        swiftSettings: settings + (isFetchedDependency ? [] : [.unsafeFlags(["-parse-as-library"])]))
}

let libraryModules: [Target] = [
    // Runtime pieces every kernel stands on, and files read and written safely.
    library("Parallel"),
    library("Files"),
    library("Random", ["Parallel"]),
    // Step 1: matrices and the GEMM kernels.
    library("MatrixMath", ["Parallel", "Random"]),
    // Step 2: softmax regression with the gradient derived by hand.
    library("Metrics"),
    library("SoftmaxRegression", ["MatrixMath", "Metrics", "Random"]),
    // Step 3: reverse-mode autograd.
    library("Autograd", ["MatrixMath", "Parallel", "Random"]),
    // Step 4: Module, Parameter, layers, losses, weight files; the optimisers.
    library("NeuralNetwork", ["Autograd", "Compression", "Files", "MatrixMath", "Parallel", "Random"]),
    library("Optimizers", ["NeuralNetwork", "Autograd", "Files", "Parallel"]),
    // Step 5: convolution and pooling.
    library("Convolution", ["NeuralNetwork", "Autograd", "MatrixMath", "Parallel"]),
    // The model zoo and the training loop.
    library("Models", ["NeuralNetwork", "Convolution", "Autograd"]),
    library(
        "Training",
        [
            "Models", "Optimizers", "NeuralNetwork", "Autograd", "MatrixMath", "Datasets", "Files", "Metrics",
            "Visualization", "Random",
        ]),
    // Data and pictures.
    library("Compression"),
    library("Datasets", ["MatrixMath", "Compression", "Files", "Random"]),
    library("Visualization", ["Compression", "Files", "Parallel"]),
    // `import Kindling`: every module above, as `import torch` is all of PyTorch.
    library(
        "Kindling",
        [
            "Parallel", "Files", "Random", "MatrixMath", "Metrics", "SoftmaxRegression", "Autograd",
            "NeuralNetwork", "Optimizers", "Convolution", "Models", "Training", "Compression",
            "Datasets", "Visualization",
        ]),
]

let package = Package(
    name: "Kindling",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Kindling", targets: ["Kindling"]),
        .executable(name: "tutorial01", targets: ["tutorial01"]),
        .executable(name: "tutorial02", targets: ["tutorial02"]),
        .executable(name: "tutorial03", targets: ["tutorial03"]),
        .executable(name: "tutorial04", targets: ["tutorial04"]),
        .executable(name: "tutorial05", targets: ["tutorial05"]),
        .executable(name: "tutorial06", targets: ["tutorial06"]),
        .executable(name: "exercise", targets: ["exercise"]),
        .executable(name: "mnist", targets: ["mnist"]),
        .executable(name: "cifar10", targets: ["cifar10"]),
        .executable(name: "benchmarks", targets: ["benchmarks"]),
        .executable(name: "fuzz-inflate", targets: ["fuzz-inflate"]),
        .executable(name: "fuzz-idx", targets: ["fuzz-idx"]),
        .executable(name: "fuzz-safetensors", targets: ["fuzz-safetensors"]),
        .executable(name: "fuzz-cifar10", targets: ["fuzz-cifar10"]),
        .executable(name: "fuzz-image", targets: ["fuzz-image"]),
        .executable(name: "fuzz-checkpoint", targets: ["fuzz-checkpoint"]),
        .executable(name: "fuzz-arguments", targets: ["fuzz-arguments"]),
        .executable(name: "fuzz-pth", targets: ["fuzz-pth"]),
    ],
    targets: libraryModules + [
        // What only the programs use: argument parsing, `runOrExit`, the progress bar, timing.
        .target(name: "ProgramSupport", dependencies: ["Training", "Datasets", "Files"], swiftSettings: settings),

        tutorial("01", "Matrices"),
        tutorial("02", "SoftmaxRegression"),
        tutorial("03", "Autograd"),
        tutorial("04", "Modules"),
        tutorial("05", "Convolution"),
        tutorial("06", "CIFAR10"),

        // The exercises: the learner's files, the graders, and the program that runs them.
        .target(
            name: "ExerciseSupport",
            dependencies: [
                "Autograd", "Convolution", "Datasets", "MatrixMath", "Metrics", "NeuralNetwork", "Optimizers", "Random",
                "SoftmaxRegression", "Training",
            ],
            path: "Tutorials/ExerciseSupport", swiftSettings: settings),
        .target(
            // Every module an answer may import: the solutions in Tests/ExercisesTests/Solutions
            // import all of these (Scripts/check-exercise-solutions.sh copies them in).
            name: "Exercises",
            dependencies: [
                "ExerciseSupport", "Autograd", "Convolution", "MatrixMath", "NeuralNetwork", "Optimizers", "Random",
                "SoftmaxRegression",
            ],
            path: "Tutorials/Exercises", swiftSettings: settings),
        .executableTarget(
            name: "exercise",
            dependencies: [
                "ExerciseSupport", "Exercises", "Autograd", "Datasets", "Files", "MatrixMath", "NeuralNetwork",
                "ProgramSupport",
            ],
            path: "Tutorials/exercise", swiftSettings: settings),

        .executableTarget(
            name: "mnist", dependencies: ["Kindling", "ProgramSupport"], path: "Examples/mnist",
            swiftSettings: settings),
        .executableTarget(
            name: "cifar10", dependencies: ["Kindling", "ProgramSupport"], path: "Examples/cifar10",
            swiftSettings: settings),
        .executableTarget(
            name: "benchmarks", dependencies: ["Kindling", "ProgramSupport"], path: "Benchmarks",
            exclude: ["pytorch_compare.py", "numpy_gemm_compare.py"], swiftSettings: settings),

        .target(name: "FuzzHarness", dependencies: ["Random"], path: "Fuzz/Harness", swiftSettings: settings),
        fuzzTarget("inflate", ["Compression"]),
        fuzzTarget("idx", ["Datasets", "Compression"]),
        fuzzTarget("safetensors", ["NeuralNetwork", "Autograd"]),
        fuzzTarget("cifar10", ["Datasets", "Compression"]),
        fuzzTarget("image", ["Visualization", "Datasets", "Compression"]),
        fuzzTarget("checkpoint", ["Training"]),
        fuzzTarget("arguments", ["ProgramSupport"]),
        fuzzTarget("pth", ["NeuralNetwork", "Autograd"]),

        .target(
            name: "TestSupport", dependencies: ["Autograd", "MatrixMath", "Random"], path: "Tests/TestSupport",
            swiftSettings: settings),
        tests("Parallel", ["Parallel"]),
        tests("Files", ["Files"]),
        tests("ProgramSupport", ["ProgramSupport"]),
        tests("MatrixMath", ["MatrixMath", "Parallel", "Random", "TestSupport"]),
        tests("Metrics", ["Metrics"]),
        tests("SoftmaxRegression", ["SoftmaxRegression", "MatrixMath", "Metrics", "Random"]),
        tests("Compression", ["Compression"]),
        tests("Datasets", ["Datasets", "Compression", "MatrixMath"]),
        tests("Visualization", ["Visualization", "Compression"]),
        tests("Autograd", ["Autograd", "MatrixMath", "TestSupport"]),
        tests("NeuralNetwork", ["NeuralNetwork", "Autograd", "MatrixMath", "Random", "TestSupport"]),
        tests("Optimizers", ["Optimizers", "NeuralNetwork", "Autograd", "Random"]),
        tests(
            "Convolution",
            ["Convolution", "NeuralNetwork", "Autograd", "MatrixMath", "Parallel", "Random", "TestSupport"]),
        tests("Models", ["Models", "Autograd", "NeuralNetwork", "Random", "TestSupport"]),
        .testTarget(
            name: "ExercisesTests",
            dependencies: [
                "ExerciseSupport", "Exercises", "Autograd", "Convolution", "MatrixMath", "NeuralNetwork", "Optimizers",
                "Random", "SoftmaxRegression",
            ],
            swiftSettings: settings),
        .testTarget(
            name: "PyTorchFidelityTests",
            dependencies: [
                "Autograd", "Convolution", "Datasets", "Metrics", "Models", "NeuralNetwork", "Optimizers",
                "TestSupport",
                "Training",
            ],
            exclude: ["Fixtures"], swiftSettings: settings),
        tests(
            "Training",
            [
                "Training", "Models", "Datasets", "Optimizers", "NeuralNetwork", "Convolution", "Autograd",
                "Files", "MatrixMath", "Random", "Parallel", "TestSupport",
            ]),
    ]
)
