import Foundation

/// Runs `body`, and on a thrown error prints it (with the program's name) to standard error and
/// exits with status 1: the programs' way of turning "file not found" into a message, not a crash.
public func runOrExit<Result>(_ body: () throws -> Result) -> Result {
    do {
        return try body()
    } catch {
        let program = (CommandLine.arguments.first as NSString?)?.lastPathComponent ?? "program"
        FileHandle.standardError.write(Data("\(program): error: \(error)\n".utf8))
        exit(1)
    }
}
