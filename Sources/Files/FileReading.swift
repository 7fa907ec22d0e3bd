#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a whole file whose size is checked before anything is allocated for it.
///
/// A file named by a user may be anything: a directory, a pipe that never ends, `/dev/zero`, a
/// sparse file of terabytes. This opens it without blocking, refuses whatever is not a regular
/// file, compares its size with the most a file of its kind can legitimately hold, and only then
/// reads it. Every refusal is a `FileError` naming the file and the reason.
///
/// ```swift
/// let bytes = try FileReading.bytes(of: path, maximumSize: 64 << 20, what: "an image")
/// ```
public enum FileReading {
    /// The bytes of the regular file at `path`, at most `maximumSize` of them.
    ///
    /// - Parameter what: the kind of file, for the message when it is too large ("an MNIST file").
    public static func bytes(of path: String, maximumSize: Int, what: String) throws -> [UInt8] {
        func fail(_ reason: String) -> FileError { FileError(path: path, action: "read", reason: reason) }
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw fail(POSIXFile.reason()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw fail(POSIXFile.reason()) }
        let kind = POSIXFile.kind(of: status)
        guard case .regular(let size, _) = kind else { throw fail(kind.refusal ?? "it is not a regular file") }
        guard size <= maximumSize else {
            throw fail("it is \(size) bytes; \(what) is at most \(maximumSize) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + done, size - done)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw fail(POSIXFile.reason()) }
            // The file shrank while it was being read: keep what is there.
            if count == 0 { break }
            done += count
        }
        return done == size ? bytes : Array(bytes[..<done])
    }

    /// True when `path` names a regular file (following links), false for anything else or nothing.
    public static func isRegularFile(_ path: String) -> Bool {
        if case .regular = POSIXFile.kind(path, followingLinks: true) { return true }
        return false
    }

    /// The size of the regular file at `path` (following links), or nil.
    public static func size(of path: String) -> Int? {
        if case .regular(let size, _) = POSIXFile.kind(path, followingLinks: true) { return size }
        return nil
    }
}
