/// A file that could not be read or written: its path, what was being done and why, as one line a
/// person can act on.
///
///     weights.safetensors: cannot read: it is a directory, not a file
///
/// ```swift
/// throw FileError(path: path, action: "write", reason: "its folder does not exist")
/// ```
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    /// What was being done: "read", "write", "create the folder".
    public let action: String
    public let reason: String

    public init(path: String, action: String, reason: String) {
        self.path = path
        self.action = action
        self.reason = reason
    }

    public var description: String { "\(printable(path)): cannot \(action): \(reason)" }
}
