import Files
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh folder under the system's temporary directory, removed by the caller.
func scratchFolder() -> String {
    let path = NSTemporaryDirectory() + "kindling-files-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Reading files: only regular files, and only as large as their kind can be")
struct FileReadingTests {
    @Test("A directory, a FIFO and a device are refused by name, without blocking")
    func notRegularFiles() throws {
        let folder = scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: FileError(path: folder, action: "read", reason: "it is a directory, not a file")) {
            try FileReading.bytes(of: folder, maximumSize: 100, what: "a test file")
        }
        let fifo = folder + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening a FIFO for reading would wait for a writer forever; it is refused at once.
        #expect(throws: FileError(path: fifo, action: "read", reason: "it is a pipe (FIFO), not a file")) {
            try FileReading.bytes(of: fifo, maximumSize: 100, what: "a test file")
        }
        #expect(throws: FileError(path: "/dev/zero", action: "read", reason: "it is a device, not a file")) {
            try FileReading.bytes(of: "/dev/zero", maximumSize: 100, what: "a test file")
        }
        #expect(throws: FileError(path: folder + "/missing", action: "read", reason: "file not found")) {
            try FileReading.bytes(of: folder + "/missing", maximumSize: 100, what: "a test file")
        }
    }

    @Test("A 2 GB sparse file is refused from its size, before anything is read")
    func sparseFileRefusedBySize() throws {
        let folder = scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/huge"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 2_000_000_000) == 0)
        #expect(
            throws: FileError(
                path: path, action: "read", reason: "it is 2000000000 bytes; a test file is at most 1048576 bytes")
        ) {
            try FileReading.bytes(of: path, maximumSize: 1 << 20, what: "a test file")
        }
    }

    @Test("A regular file within the limit is read whole")
    func readsRegularFile() throws {
        let folder = scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileWriting.write([1, 2, 3], to: folder + "/three")
        #expect(try FileReading.bytes(of: folder + "/three", maximumSize: 3, what: "a test file") == [1, 2, 3])
    }
}

@Suite("Writing files: atomic, durable, only onto regular files")
struct FileWritingTests {
    @Test("A symbolic link and a device are refused and left exactly as they were")
    func refusesLinksAndDevices() throws {
        let folder = scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileWriting.write(Array("keep me".utf8), to: folder + "/target")
        #expect(symlink(folder + "/target", folder + "/link") == 0)
        #expect(
            throws: FileError(
                path: folder + "/link", action: "write",
                reason: "it is a symbolic link; name the file it points to")
        ) {
            try FileWriting.write([0], to: folder + "/link")
        }
        #expect(try String(contentsOfFile: folder + "/target", encoding: .utf8) == "keep me")
        #expect(
            (try FileManager.default.attributesOfItem(atPath: folder + "/link"))[.type] as? FileAttributeType
                == .typeSymbolicLink)
        // A character device of our own (the kind /dev/null is): as root, replacing /dev/null with
        // a regular file would break the whole machine.
        let device = folder + "/null"
        if mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 {
            #expect(throws: FileError(path: device, action: "write", reason: "it is a device, not a file")) {
                try FileWriting.write([0], to: device)
            }
            var status = stat()
            #expect(lstat(device, &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
        }
        #expect(throws: FileError(path: folder, action: "write", reason: "it is a directory, not a file")) {
            try FileWriting.write([0], to: folder)
        }
    }

    @Test("A missing folder is named before anything is written")
    func missingFolder() {
        let path = "/nonexistent-kindling-folder/out.png"
        #expect(
            throws: FileError(
                path: path, action: "write", reason: "its folder /nonexistent-kindling-folder does not exist")
        ) {
            try FileWriting.checkWritable(path)
        }
    }

    @Test("Replacing a 0600 file keeps its mode, and no temporary file is left behind")
    func keepsModeAndCleansUp() throws {
        let folder = scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/secret"
        try FileWriting.write([1], to: path)
        #expect(chmod(path, 0o600) == 0)
        try FileWriting.write([2, 3], to: path)
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)
        #expect(try FileReading.bytes(of: path, maximumSize: 10, what: "a test file") == [2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["secret"])
    }

    @Test("printable shows control characters as escapes")
    func printableEscapes() {
        #expect(printable("fc1\u{1B}[2J.weight") == "fc1\\u{1B}[2J.weight")
        #expect(printable("line\nbreak") == "line\\u{A}break")
        #expect(printable("conv1.weight") == "conv1.weight")
    }
}
