// Benchmarks: `swift run -c release benchmarks <name>`.
//
// Speed claims are made here, in a release build on a quiet machine, never in the test suite.
// Each benchmark prints what it measures and how, then the figures.

import Foundation
import Kindling
import ProgramSupport

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: benchmarks <name> [options]

      peak               the machine's FMA ceiling: an FMA-only loop on 1 thread and on all
      gemm [--quick]     GFLOP/s of the naive, packed (1 core) and parallel GEMM kernels
                         at square sizes and at the shapes the networks' layers use
      train [options]    seconds per epoch training convnet and pytorch-example on MNIST,
                         and peak memory (train --help for options)
      layers             milliseconds per batch of each layer, forward and backward

    """

switch arguments.first {
case "peak":
    runPeakBenchmark()
case "gemm":
    runGEMMBenchmark(quick: arguments.contains("--quick"))
case "train":
    runTrainBenchmark(arguments: Array(arguments.dropFirst()))
case "layers":
    runLayerBenchmark(arguments: Array(arguments.dropFirst()))
case "--help", "-h", "help":
    print(usage, terminator: "")
default:
    if let name = arguments.first { printError("benchmarks: unknown benchmark '\(name)'") }
    printError(usage)
    exit(2)
}
