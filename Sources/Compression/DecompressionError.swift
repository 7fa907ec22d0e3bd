/// A malformed compressed stream: the reason is attached to a file by whoever read the bytes.
public struct DecompressionError: Error, CustomStringConvertible, Equatable, Sendable {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
