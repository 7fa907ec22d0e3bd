import Compression
import Datasets
import Foundation

/// A fresh temporary directory for one test, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "kindling-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` inside the directory (creating subfolders) and returns the path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try! FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try! Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// A gzip file holding `content` in stored (uncompressed) DEFLATE blocks.
func storedGzip(_ content: [UInt8]) -> [UInt8] {
    Gzip.compress(content, level: .stored)
}

func littleEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32($0))) }
}

/// An IDX file of unsigned bytes with the given dimensions.
func idxBytes(dimensions: [Int], values: [UInt8]) -> [UInt8] {
    [0, 0, 0x08, UInt8(dimensions.count)] + dimensions.flatMap { bigEndian(UInt32($0)) } + values
}

/// Writes a small MNIST-format dataset (`count` images whose every pixel equals its label * 20)
/// into `directory/mnist/`, gzipped or not.
func writeFakeMNIST(in directory: TemporaryDirectory, split: MNIST.Split, labels: [UInt8], gzipped: Bool) {
    let names = MNIST.fileNames(split)
    let pixels = labels.flatMap { [UInt8](repeating: $0 * 20, count: 784) }
    let images = idxBytes(dimensions: [labels.count, 28, 28], values: pixels)
    let labelFile = idxBytes(dimensions: [labels.count], values: labels)
    directory.write("mnist/" + names.images + (gzipped ? ".gz" : ""), gzipped ? storedGzip(images) : images)
    directory.write("mnist/" + names.labels + (gzipped ? ".gz" : ""), gzipped ? storedGzip(labelFile) : labelFile)
}

/// Where the real MNIST is, if anywhere: `KINDLING_DATA`, or `../shared/data` beside the checkout.
let realMNISTDirectory: String? = {
    var candidates: [String] = []
    if let variable = ProcessInfo.processInfo.environment["KINDLING_DATA"] { candidates.append(variable) }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    candidates.append(root.deletingLastPathComponent().appendingPathComponent("shared/data").path)
    return candidates.first { directory in
        MNIST.Split.allCases.allSatisfy { split in
            let names = MNIST.fileNames(split)
            return [names.images, names.labels].allSatisfy { name in
                ["", ".gz"].contains { FileManager.default.fileExists(atPath: "\(directory)/mnist/\(name)\($0)") }
            }
        }
    }
}()
