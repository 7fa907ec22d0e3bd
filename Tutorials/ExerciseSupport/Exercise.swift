/// One exercise: the function a learner writes, where it is taught, and its stub.
///
/// The stub file (`Tutorials/Exercises/<id>-<name>.swift`) is exactly `stubSource`: a header
/// comment with the statement and the pointers, the imports, and the declaration whose body
/// throws `ExerciseNotStarted`. `exercise reset <id>` writes it back.
public struct Exercise: Sendable {
    /// "3.2": tutorial 3, second exercise.
    public let id: String
    /// The file's name after the id: `3.2-ExpBackward.swift`.
    public let name: String
    public let title: String
    /// The tutorial section that teaches it.
    public let taughtIn: String
    /// What to write, in a few lines (wrapped at 96 columns).
    public let statement: String
    /// Modules the stub imports besides ExerciseSupport.
    public let imports: [String]
    /// The declaration as the stub has it (formatted as the house style wants it).
    public let declaration: String

    public var fileName: String { "\(id)-\(name).swift" }

    /// The tutorial number: "3.2" -> 3.
    public var tutorial: Int { Int(id.split(separator: ".")[0]) ?? 0 }

    /// The stub file's text.
    public var stubSource: String {
        var lines = ["// Exercise \(id): \(title)", "//"]
        lines += statement.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.isEmpty ? "//" : "// " + $0
        }
        lines += [
            "//",
            "// Taught in:  \(taughtIn)",
            "// Grade it:   swift run -c release exercise check \(id)",
            "// Start over: swift run -c release exercise reset \(id)",
            "",
        ]
        lines += (["ExerciseSupport"] + imports).sorted().map { "import \($0)" }
        lines += ["", declaration.trimmingTrailingNewlines, ""]
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
