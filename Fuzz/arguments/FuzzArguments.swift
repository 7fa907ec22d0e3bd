// Fuzz target: command-line parsing (Sources/ProgramSupport/CommandLineArguments.swift), with the
// options and ranges of `mnist train`. Any argument list must give values in range or problems to
// report, never a trap.
import FuzzHarness
import ProgramSupport

/// The input's zero bytes separate the arguments.
func target(_ bytes: [UInt8]) {
    // --help and -h print the usage and exit by design; they are not what is fuzzed.
    let words = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        .filter { $0 != "--help" && $0 != "-h" }
    var arguments = CommandLineArguments(words, usage: "usage: fuzz")
    _ = arguments.subcommand()
    let epochs = arguments.integer("--epochs", default: 5, minimum: 1, maximum: 100_000)
    let batchSize = arguments.integer("--batch-size", default: 64, minimum: 1, maximum: 1 << 20)
    let learningRate = arguments.number("--lr", default: 1e-3, minimum: 0)
    let momentum = arguments.number("--momentum", default: 0, minimum: 0)
    let count = arguments.integer("--count", minimum: 1, maximum: 1000)
    _ = arguments.string("--save")
    _ = arguments.flag("--resume")
    _ = arguments.choice("--model", among: ["linear", "mlp", "convnet"])
    precondition((1...100_000).contains(epochs) && (1...(1 << 20)).contains(batchSize), "an integer out of range")
    precondition(learningRate >= 0 && learningRate.isFinite && momentum >= 0, "a number out of range")
    precondition(count.map { (1...1000).contains($0) } ?? true, "a count out of range")
    for problem in arguments.problemsFound {
        precondition(!problem.contains("\u{1B}"), "a control character reached a message")
    }
}

func seeds() -> [[UInt8]] {
    let lists = [
        ["train", "--epochs", "5", "--lr=0.01", "--save", "w.safetensors"],
        ["train", "--batch-size", "9223372036854775807", "--lr", "-1", "--lr", "2", "--momentum", "nan"],
        ["predict", "--count", "1000000000", "--model", "\u{1B}[2J", "--epochs"],
    ]
    return lists.map { Array($0.joined(separator: "\u{0}").utf8) }
}

@_cdecl("fuzz_arguments_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-arguments", seeds: seeds, target: target)
}
