/// What went wrong reading a data file, with the file's path, so a user knows which file to
/// replace and why.
///
/// ```swift
/// do { _ = try MNIST(split: .train, directory: "data") }
/// catch { print(error) }   // data/mnist/train-images-idx3-ubyte.gz: truncated: ...
/// ```
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or directory) concerned.
    public let path: String
    /// What is wrong with it, in words.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
