import Files
import Foundation

/// Runs `body`, and on a thrown error prints it (with the program's name) to standard error and
/// exits with status 1: the programs' way of turning "file not found" into a message, not a crash.
///
/// ```swift
/// let train = runOrExit { try MNIST(split: .train, directory: directory) }
/// ```
public func runOrExit<Result>(_ body: () throws -> Result) -> Result {
    do {
        return try body()
    } catch {
        printError("\(programName): error: \(error)")
        exit(1)
    }
}

/// Writes `text` and a line break to standard error.
public func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// The running program's name, for messages: `mnist`, `tutorial05`.
public var programName: String {
    (CommandLine.arguments.first as NSString?)?.lastPathComponent ?? "program"
}

/// Checks that every named output can be written (its folder exists, it is not a directory, a
/// device or a link), or exits with a one-line message: programs call this before any work.
///
/// ```swift
/// checkOutputs([savePath, plotPath])       // nil entries (options not given) are skipped
/// ```
public func checkOutputs(_ paths: [String?]) {
    runOrExit {
        for path in paths.compactMap({ $0 }) { try FileWriting.checkWritable(path) }
    }
}
