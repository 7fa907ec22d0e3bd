#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing files so that nothing is lost: atomically (a reader sees the old file or the new one,
/// never half of one), durably (on disk before the call returns, so a power cut keeps it), and
/// only where the user asked.
///
/// A write goes to a new temporary file beside the target, which is flushed (`fsync`) and then
/// renamed over the target; the folder is flushed too, so the rename itself survives a power cut.
/// An existing target keeps its permissions. A target that is not a regular file (a directory, a
/// device such as `/dev/null`, a pipe, a symbolic link) is refused rather than replaced.
///
/// ```swift
/// try FileWriting.checkWritable("out/model.safetensors")      // before training, not after
/// try FileWriting.write(bytes, to: "out/model.safetensors")
/// ```
public enum FileWriting {
    /// Checks that `path` can be written later: its folder exists and is a folder, and the path is
    /// either free or a regular file. Programs call this for every output before the first
    /// training step, so a typo costs a second, not a training run.
    public static func checkWritable(_ path: String) throws {
        func fail(_ reason: String) -> FileError { FileError(path: path, action: "write", reason: reason) }
        guard !path.isEmpty, !path.hasSuffix("/") else { throw fail("the name is empty or ends with '/'") }
        let kind = POSIXFile.kind(path)
        if kind != .missing, let refusal = kind.refusal { throw fail(refusal) }
        let folder = POSIXFile.folder(of: path)
        switch POSIXFile.kind(folder, followingLinks: true) {
        case .directory: break
        case .missing: throw fail("its folder \(printable(folder)) does not exist")
        default: throw fail("\(printable(folder)) is not a folder")
        }
        guard access(folder, W_OK) == 0 else { throw fail("its folder \(printable(folder)) is not writable") }
    }

    /// Writes `bytes` to `path` atomically and durably (see the type's description).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try checkWritable(path)
        func fail(_ reason: String) -> FileError { FileError(path: path, action: "write", reason: reason) }
        var mode: mode_t = 0o644
        if case .regular(_, let existing) = POSIXFile.kind(path) { mode = existing }
        let folder = POSIXFile.folder(of: path)
        let temporary =
            folder + "/." + POSIXFile.name(of: path) + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw fail(POSIXFile.reason()) }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do {
            // The mode given to open() is reduced by the umask; an existing file's mode is kept exactly.
            if POSIXFile.kind(path) != .missing { fchmod(descriptor, mode) }
            var done = 0
            while done < bytes.count {
                let count = bytes.withUnsafeBytes { buffer in
                    systemWrite(descriptor, buffer.baseAddress! + done, bytes.count - done)
                }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw fail(POSIXFile.reason()) }
                done += count
            }
            guard fsync(descriptor) == 0 else { throw fail(POSIXFile.reason()) }
            closed = true
            guard close(descriptor) == 0 else { throw fail(POSIXFile.reason()) }
            guard rename(temporary, path) == 0 else { throw fail(POSIXFile.reason()) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncFolder(folder)
    }

    /// Writes `text` as UTF-8 (see `write(_:to:)`).
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Flushes a folder's entries (a rename or a new file in it) to disk. Best effort: some file
    /// systems refuse to sync a folder, and nothing more can be done there.
    public static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Renames `source` (a file or a folder written in full beside it) to `destination` in one
    /// step, then flushes the folder that holds it, so a crash leaves either the old state or the
    /// new one. `action` names what the rename completes, for the error.
    public static func moveIntoPlace(_ source: String, to destination: String, action: String) throws {
        guard rename(source, destination) == 0 else {
            throw FileError(path: destination, action: action, reason: POSIXFile.reason())
        }
        syncFolder(POSIXFile.folder(of: destination))
    }

    /// Creates the folder `path` (and its parents) unless it exists; a file in its place is refused.
    public static func createFolder(_ path: String) throws {
        switch POSIXFile.kind(path, followingLinks: true) {
        case .directory: return
        case .missing: break
        default: throw FileError(path: path, action: "create the folder", reason: "something else is there")
        }
        let parent = POSIXFile.folder(of: path)
        if parent != path && POSIXFile.kind(parent, followingLinks: true) == .missing { try createFolder(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw FileError(path: path, action: "create the folder", reason: POSIXFile.reason())
        }
        syncFolder(parent)
    }
}

/// The C library's `write`, which the `write` methods above would otherwise hide.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
