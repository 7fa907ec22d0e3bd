import Foundation

/// CIFAR-10: 60,000 colour images of 32x32 pixels in ten classes (50,000 for training, 10,000 for
/// testing), read from the "binary version" the authors publish.
///
/// `cifar-10-batches-bin/` holds `data_batch_1.bin` ... `data_batch_5.bin` and `test_batch.bin`.
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
    /// Where the binary version is published.
    public static let downloadURL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    /// Bytes per record: a label and 3 x 32 x 32 pixels.
    static let recordSize = 1 + 3 * 32 * 32

    /// The files of a split, in `directory/cifar-10-batches-bin/`.
    public static func fileNames(_ split: MNIST.Split) -> [String] {
        split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
    }

    public init(split: MNIST.Split, directory: String) throws {
        try checkDataDirectory(directory)
        let folder = (directory as NSString).appendingPathComponent("cifar-10-batches-bin")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(
                path: folder,
                reason: """
                    CIFAR-10 folder not found. Download \(Self.downloadURL), and unpack it in \
                    \(directory) (tar xzf cifar-10-binary.tar.gz) so that \(folder) holds \
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
