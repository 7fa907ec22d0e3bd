import Datasets
import Files
import Foundation

/// A small command-line parser for the tutorials and programs: `--name value`, `--name=value` and
/// bare `--flag`s, with every unknown or malformed option reported with the usage text.
///
/// ```swift
/// var arguments = CommandLineArguments(usage: "usage: tutorial02 [--epochs N]")
/// let epochs = arguments.integer("--epochs", default: 5)
/// arguments.finish()          // exits with the usage if anything was not understood
/// ```
public struct CommandLineArguments {
    public let usage: String
    private var remaining: [String]
    private var problems: [String] = []

    /// Parses `arguments` (the process's own, without the program name, by default).
    public init(_ arguments: [String] = Array(CommandLine.arguments.dropFirst()), usage: String) {
        self.usage = usage
        // `--name=value` is the same as `--name value`.
        self.remaining = arguments.flatMap { argument -> [String] in
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                return [String(argument[..<equals]), String(argument[argument.index(after: equals)...])]
            }
            return [argument]
        }
        if remaining.contains("--help") || remaining.contains("-h") {
            print(usage)
            exit(0)
        }
        // An option given twice is a mistake to report, not a value to pick silently.
        var seen = Set<String>()
        for argument in remaining where argument.hasPrefix("--") && !seen.insert(argument).inserted {
            problems.append("\(printable(argument)) is given more than once")
        }
    }

    /// The first argument when it is a word rather than an option: a subcommand such as `train`.
    /// It is removed from what is left.
    public mutating func subcommand() -> String? {
        guard let first = remaining.first, !first.hasPrefix("-") else { return nil }
        remaining.removeFirst()
        return first
    }

    /// True when `--name` is present (and removes it).
    public mutating func flag(_ name: String) -> Bool {
        let present = remaining.contains(name)
        remaining.removeAll { $0 == name }
        return present
    }

    /// The text after `--name`, or nil when it is absent.
    public mutating func string(_ name: String) -> String? {
        var value: String?
        // Every occurrence is taken out (a repeated option was reported in `init`); the first counts.
        while let index = remaining.firstIndex(of: name) {
            guard index + 1 < remaining.count else {
                if value == nil { problems.append("\(name) needs a value") }
                remaining.remove(at: index)
                break
            }
            if value == nil && remaining[index + 1].isEmpty { problems.append("\(name) needs a value, got ''") }
            value = value ?? remaining[index + 1]
            remaining.removeSubrange(index...index + 1)
        }
        return value?.isEmpty == true ? nil : value
    }

    public mutating func string(_ name: String, default value: String) -> String {
        string(name) ?? value
    }

    /// A whole number option in `minimum...maximum`.
    public mutating func integer(_ name: String, default value: Int, minimum: Int = 0, maximum: Int = 1 << 40) -> Int {
        integer(name, minimum: minimum, maximum: maximum) ?? value
    }

    public mutating func integer(_ name: String, minimum: Int = 0, maximum: Int = 1 << 40) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), value >= minimum, value <= maximum else {
            problems.append("\(name) takes a whole number from \(minimum) to \(maximum), got '\(printable(text))'")
            return nil
        }
        return value
    }

    /// A decimal number option in `minimum...maximum`.
    public mutating func number(
        _ name: String, default value: Float, minimum: Float = -.greatestFiniteMagnitude,
        maximum: Float = .greatestFiniteMagnitude
    ) -> Float {
        number(name, minimum: minimum, maximum: maximum) ?? value
    }

    public mutating func number(
        _ name: String, minimum: Float = -.greatestFiniteMagnitude, maximum: Float = .greatestFiniteMagnitude
    ) -> Float? {
        guard let text = string(name) else { return nil }
        guard let value = Float(text), value.isFinite else {
            problems.append("\(name) takes a number, got '\(printable(text))'")
            return nil
        }
        guard value >= minimum, value <= maximum else {
            let range =
                maximum == .greatestFiniteMagnitude ? "at least \(minimum)" : "from \(minimum) to \(maximum)"
            problems.append("\(name) takes a number \(range), got '\(printable(text))'")
            return nil
        }
        return value
    }

    /// One of a fixed set of words.
    public mutating func choice(_ name: String, among choices: [String]) -> String? {
        guard let text = string(name) else { return nil }
        guard choices.contains(text) else {
            problems.append("\(name) must be one of \(choices.joined(separator: ", ")), got '\(printable(text))'")
            return nil
        }
        return text
    }

    /// The data directory: `--data DIR`, else `KINDLING_DATA`, else `./data` (see `DataDirectory`).
    public mutating func dataDirectory() -> String {
        string("--data") ?? DataDirectory.resolve(arguments: [])
    }

    /// Every option that was malformed, repeated or not understood, one line each.
    public var problemsFound: [String] {
        problems + remaining.map { "unknown argument '\(printable($0))'" }
    }

    /// Stops with exit status 2 when any option was malformed or not understood: one line per
    /// problem, each saying where the options are listed.
    public func finish() {
        let all = problemsFound
        guard !all.isEmpty else { return }
        for problem in all { printError("\(programName): \(problem) (\(programName) --help lists the options)") }
        exit(2)
    }
}
