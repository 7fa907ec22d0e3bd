import Compression
import Files
import Foundation

/// CIFAR-10: 60,000 colour images of 32x32 pixels in ten classes (50,000 for training, 10,000 for
/// testing), read from the "binary version" the authors publish.
///
/// `cifar-10-batches-bin/` holds `data_batch_1.bin` ... `data_batch_5.bin` and `test_batch.bin`.
/// When the folder is missing, the archive (`cifar-10-binary.tar.gz`, 162 MB) is downloaded, kept
/// only if its MD5 is the one the authors publish, and those six files unpacked from it.
/// Each file is a run of 3,073-byte records: one label byte (0-9), then 1,024 red, 1,024 green and
/// 1,024 blue bytes, each plane row by row: already the channel-major (NCHW) layout.
///
/// ## Shape
/// `pixels`: N x 3 x 32 x 32 bytes; `labels`: N classes 0...9.
///
/// ```swift
/// let test = try CIFAR10(split: .test, directory: "data")
/// test.classNames[test.labels[0]]   // "cat"
/// ```
public struct CIFAR10: ImageClassificationDataset {
    public let split: MNIST.Split
    public let pixels: [UInt8]
    public let labels: [Int]
    public var channels: Int { 3 }
    public var height: Int { 32 }
    public var width: Int { 32 }
    public var classNames: [String] { Self.classNames }

    public static let classNames = [
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck",
    ]
    /// Where the binary version is published, and its name, size and MD5 there.
    public static let mirrors = ["https://www.cs.toronto.edu/~kriz/"]
    public static let archiveName = "cifar-10-binary.tar.gz"
    public static let archiveMD5 = "c32a1d4ab5d03f1284b67883e8d87530"
    public static let downloadURL = mirrors[0] + archiveName
    /// Bytes per record: a label and 3 x 32 x 32 pixels.
    static let recordSize = 1 + 3 * 32 * 32

    /// The files of a split, in `directory/cifar-10-batches-bin/`.
    public static func fileNames(_ split: MNIST.Split) -> [String] {
        split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
    }

    /// Loads one split from `directory/cifar-10-batches-bin/`, downloading and unpacking the
    /// archive first when that folder is missing (unless `download` is false). `mirrors` and
    /// `archiveMD5` are for tests that serve an archive locally.
    public init(
        split: MNIST.Split, directory: String, download: Bool = true, mirrors: [String] = CIFAR10.mirrors,
        archiveMD5: String = CIFAR10.archiveMD5, log: @escaping @Sendable (String) -> Void = Download.standardError
    ) throws {
        try checkDataDirectory(directory)
        let folder = (directory as NSString).appendingPathComponent("cifar-10-batches-bin")
        var isDirectory: ObjCBool = false
        if download && !FileManager.default.fileExists(atPath: folder) {
            try Self.downloadAndUnpack(into: directory, mirrors: mirrors, archiveMD5: archiveMD5, log: log)
        }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(
                path: folder,
                reason: """
                    CIFAR-10 folder not found. Download \(Self.downloadURL), and unpack it in \
                    \(directory) (tar xzf \(Self.archiveName)) so that \(folder) holds \
                    \(Self.fileNames(.train).joined(separator: ", ")) and test_batch.bin.
                    """)
        }
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for name in Self.fileNames(split) {
            var path = (folder as NSString).appendingPathComponent(name)
            // A batch gzipped on its own (`data_batch_1.bin.gz`) is read as well as a plain one.
            if !FileManager.default.fileExists(atPath: path), FileManager.default.fileExists(atPath: path + ".gz") {
                path += ".gz"
            }
            let records = try Self.readRecords(path)
            pixels.append(contentsOf: records.pixels)
            labels.append(contentsOf: records.labels)
        }
        self.split = split
        self.pixels = pixels
        self.labels = labels
    }

    /// Downloads the archive, checks its MD5, and unpacks the six batch files (and the class
    /// names, `batches.meta.txt`) into `directory/cifar-10-batches-bin/`. They are written into a
    /// new folder of a unique name that is renamed into place only when all are written and
    /// synced, so an interrupted unpacking never leaves a folder that looks complete. Nothing else
    /// in the archive is written, whatever its names say.
    static func downloadAndUnpack(
        into directory: String, mirrors: [String], archiveMD5: String, log: @escaping @Sendable (String) -> Void
    ) throws {
        let folder = (directory as NSString).appendingPathComponent("cifar-10-batches-bin")
        let members = fileNames(.train) + fileNames(.test)
        let archive: TarArchive
        do {
            // 170,052,171 bytes published; a mirror sending much more is cut off.
            let downloaded = try Download.verifiedBytes(
                file: archiveName, from: mirrors, expected: .md5OfFile(archiveMD5), timeout: 120,
                maximumSize: 200 << 20, describedAs: (directory as NSString).appendingPathComponent(archiveName),
                log: log)
            log("unpacking \(archiveName) into \(folder)")
            archive = try TarArchive(
                Gzip.decompress(downloaded, maximumOutputSize: members.count * batchFileSize + (1 << 20)))
        } catch let error as DatasetError {
            throw DatasetError(
                path: folder,
                reason: "cannot load CIFAR-10: the folder is missing and \(archiveName) could not be downloaded "
                    + "(\(error.reason.hasPrefix("cannot download: ") ? String(error.reason.dropFirst(17)) : error.reason)); "
                    + "download \(downloadURL) by hand and unpack it (tar xzf \(archiveName) -C \(directory)), "
                    + "or choose another data directory with --data DIR or KINDLING_DATA")
        } catch {
            throw DatasetError(path: downloadURL, reason: "the archive is damaged: \(error)")
        }
        var files: [(name: String, bytes: ArraySlice<UInt8>)] = []
        for name in members + ["batches.meta.txt"] {
            guard let content = archive.contents(of: "cifar-10-batches-bin/" + name) else {
                if name.hasSuffix(".txt") { continue }
                throw DatasetError(path: downloadURL, reason: "the archive has no cifar-10-batches-bin/\(name)")
            }
            if name.hasSuffix(".bin") { _ = try records(in: Array(content), path: downloadURL + ": " + name) }
            files.append((name, content))
        }
        try FileWriting.createFolder(directory)
        let staging = (directory as NSString).appendingPathComponent(
            ".cifar-10-batches-bin-unpacking-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        )
        try FileWriting.createFolder(staging)
        var written: [String] = []
        do {
            for file in files {
                let path = (staging as NSString).appendingPathComponent(file.name)
                try FileWriting.write(Array(file.bytes), to: path)
                written.append(path)
            }
            FileWriting.syncFolder(staging)
            try FileWriting.moveIntoPlace(staging, to: folder, action: "move the unpacked files into place")
        } catch {
            // Only what this function made is removed: its own files and its own new folder.
            for path in written { unlink(path) }
            rmdir(staging)
            throw error
        }
    }

    /// The size of every batch file: 10,000 records of 3,073 bytes.
    public static let batchFileSize = 10_000 * recordSize

    /// Reads one batch file of 3,073-byte records, gzipped or not; a file (or its content) larger
    /// than a batch is refused before it is read (or inflated).
    static func readRecords(_ path: String) throws -> (pixels: [UInt8], labels: [Int]) {
        try records(in: try readFile(path, maximumSize: batchFileSize, what: "a CIFAR-10 batch"), path: path)
    }

    /// Parses the bytes of one batch file; `path` names them in errors.
    public static func records(in bytes: [UInt8], path: String) throws -> (pixels: [UInt8], labels: [Int]) {
        guard !bytes.isEmpty else { throw DatasetError(path: path, reason: "the file is empty") }
        guard bytes.count % recordSize == 0 else {
            throw DatasetError(
                path: path,
                reason:
                    "\(bytes.count) bytes is not a whole number of \(recordSize)-byte records (truncated or not a CIFAR-10 binary batch)"
            )
        }
        let count = bytes.count / recordSize
        var pixels = [UInt8]()
        pixels.reserveCapacity(count * (recordSize - 1))
        var labels = [Int]()
        labels.reserveCapacity(count)
        for record in 0..<count {
            let start = record * recordSize
            let label = Int(bytes[start])
            guard label < 10 else {
                throw DatasetError(path: path, reason: "record \(record) has label \(label), not a class in 0..<10")
            }
            labels.append(label)
            pixels.append(contentsOf: bytes[start + 1..<start + recordSize])
        }
        return (pixels, labels)
    }
}
