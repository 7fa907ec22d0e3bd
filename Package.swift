// swift-tools-version: 6.0
//
// Kindling: a pure-Swift, dependency-free deep-learning framework that teaches how a handwritten
// digit classifier grows from a matrix product into a convolutional network.
//
// Build flags. The hot loops use `SIMD8<Float>.addingProduct`, which is one `vfmadd231ps`
// instruction only when the compiler may assume AVX2 and FMA. Without a target-CPU flag every lane
// becomes a call to `fmaf`, about 100 times slower. So on x86-64 every target is compiled with
// `-target-cpu haswell` (the oldest Intel core with AVX2 + FMA; every AMD Zen has both).
//
// To build for another CPU, set KINDLING_TARGET_CPU before building:
//   KINDLING_TARGET_CPU=native swift build -c release    # tune for this very machine
//   KINDLING_TARGET_CPU=none   swift build -c release    # no flag: runs on any x86-64, slowly
// (`x86-64-v3` is rejected by the toolchain; use `haswell` for the same feature level.)

import PackageDescription
import Foundation

let targetCPU: String? = {
    #if arch(x86_64)
    let requested = ProcessInfo.processInfo.environment["KINDLING_TARGET_CPU"] ?? "haswell"
    return requested == "none" || requested.isEmpty ? nil : requested
    #else
    // arm64 always has NEON with fused multiply-add: no flag needed.
    return ProcessInfo.processInfo.environment["KINDLING_TARGET_CPU"]
    #endif
}()

let fastMath: [SwiftSetting] = targetCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

/// A library module of the framework.
func module(_ name: String, _ dependencies: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: dependencies, swiftSettings: fastMath)
}

/// A fuzz target: `Fuzz/NAME/`, product `fuzz-NAME`, a library-style file with its own `@main`
/// (a deterministic mutation fuzzer), replaced by libFuzzer's when built with -DFUZZING.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzHarness"] + dependencies, path: "Fuzz/\(name)",
                      swiftSettings: fastMath + [.unsafeFlags(["-parse-as-library"])])
}

/// A tutorial executable: `Tutorials/NN-Topic/`, product `tutorialNN`.
func tutorial(_ number: String, _ folder: String) -> Target {
    .executableTarget(name: "tutorial\(number)", dependencies: ["Kindling"],
                      path: "Tutorials/\(number)-\(folder)", swiftSettings: fastMath)
}

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
        .executable(name: "mnist", targets: ["mnist"]),
        .executable(name: "cifar10", targets: ["cifar10"]),
        .executable(name: "benchmarks", targets: ["benchmarks"]),
        .executable(name: "fuzz-inflate", targets: ["fuzz-inflate"]),
        .executable(name: "fuzz-idx", targets: ["fuzz-idx"]),
        .executable(name: "fuzz-safetensors", targets: ["fuzz-safetensors"]),
        .executable(name: "fuzz-cifar10", targets: ["fuzz-cifar10"]),
        .executable(name: "fuzz-image", targets: ["fuzz-image"]),
    ],
    targets: [
        module("MatrixMath"),
        module("SoftmaxRegression", ["MatrixMath"]),
        module("Compression"),
        module("Datasets", ["MatrixMath", "Compression"]),
        module("Visualization", ["MatrixMath", "Compression"]),
        module("Autograd", ["MatrixMath"]),
        module("NeuralNetwork", ["Autograd"]),
        module("Optimizers", ["NeuralNetwork", "MatrixMath"]),
        module("Convolution", ["NeuralNetwork"]),
        module("Kindling", ["MatrixMath", "SoftmaxRegression", "Compression", "Datasets", "Visualization",
                            "Autograd", "NeuralNetwork", "Optimizers", "Convolution"]),

        tutorial("01", "Matrices"),
        tutorial("02", "SoftmaxRegression"),
        tutorial("03", "Autograd"),
        tutorial("04", "Modules"),
        tutorial("05", "Convolution"),
        tutorial("06", "CIFAR10"),

        .executableTarget(name: "mnist", dependencies: ["Kindling"], path: "Examples/mnist", swiftSettings: fastMath),
        .executableTarget(name: "cifar10", dependencies: ["Kindling"], path: "Examples/cifar10", swiftSettings: fastMath),
        .executableTarget(name: "benchmarks", dependencies: ["Kindling"], path: "Benchmarks",
                          exclude: ["pytorch_compare.py"], swiftSettings: fastMath),

        .target(name: "FuzzHarness", dependencies: ["MatrixMath"], path: "Fuzz/Harness", swiftSettings: fastMath),
        fuzzTarget("inflate", ["Compression"]),
        fuzzTarget("idx", ["Datasets", "Compression"]),
        fuzzTarget("safetensors", ["NeuralNetwork", "Autograd"]),
        fuzzTarget("cifar10", ["Datasets"]),
        fuzzTarget("image", ["Visualization", "Datasets"]),

        .target(name: "TestSupport", dependencies: ["MatrixMath"], path: "Tests/TestSupport", swiftSettings: fastMath),
        .testTarget(name: "MatrixMathTests", dependencies: ["MatrixMath"], swiftSettings: fastMath),
        .testTarget(name: "SoftmaxRegressionTests", dependencies: ["SoftmaxRegression"], swiftSettings: fastMath),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"], swiftSettings: fastMath),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Compression"], swiftSettings: fastMath),
        .testTarget(name: "VisualizationTests", dependencies: ["Visualization"], swiftSettings: fastMath),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd"], swiftSettings: fastMath),
        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "OptimizersTests", dependencies: ["Optimizers"], swiftSettings: fastMath),
        .testTarget(name: "ConvolutionTests", dependencies: ["Convolution", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "KindlingTests", dependencies: ["Kindling", "TestSupport"], swiftSettings: fastMath),
    ]
)
