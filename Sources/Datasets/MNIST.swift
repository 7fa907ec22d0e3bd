import Foundation

/// The MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 grey pixels
/// (0 = background, 255 = ink), each labelled with its digit.
///
/// The loader reads the four canonical IDX files, gzipped or not, from `directory/mnist/`. When
/// they are missing it downloads them from public mirrors and checks their SHA-256; when it cannot
/// (no network), it throws an error naming the missing files and the folder to put them in.
///
/// ## Shape
/// `pixels`: N x 1 x 28 x 28 bytes; `labels`: N digits 0...9.
///
/// ```swift
/// let train = try MNIST(split: .train, directory: DataDirectory.resolve())
/// train.count          // 60000
/// train.labels[0]      // 5
/// ```
public struct MNIST: ImageClassificationDataset {
    public enum Split: String, Sendable, CaseIterable {
        case train, test
    }

    public let split: Split
    public let pixels: [UInt8]
    public let labels: [Int]
    public var channels: Int { 1 }
    public var height: Int { 28 }
    public var width: Int { 28 }
    public var classNames: [String] { (0...9).map(String.init) }

    /// The mean and standard deviation of the training pixels (scaled to 0...1), the usual
    /// normalisation: `Normalize(mean: [0.1307], std: [0.3081])`.
    public static let normalization = Normalize(mean: [0.1307], std: [0.3081])

    /// Base names of the image and label files of each split (a `.gz` suffix is optional).
    public static func fileNames(_ split: Split) -> (images: String, labels: String) {
        switch split {
        case .train: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        case .test: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
        }
    }

    /// Public mirrors, tried in order. (Yann LeCun's original site now often refuses downloads.)
    public static let mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ]

    /// SHA-256 of each uncompressed file.
    public static let checksums = [
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ]

    /// Loads one split from `directory/mnist/`.
    /// - Parameters:
    ///   - directory: the data directory (see `DataDirectory`), not the `mnist` folder itself.
    ///   - download: fetch missing files from `mirrors` (true by default).
    ///   - mirrors: where to download from; tests point this at a local server.
    public init(
        split: Split, directory: String, download: Bool = true,
        mirrors: [String] = MNIST.mirrors
    ) throws {
        try checkDataDirectory(directory)
        let folder = (directory as NSString).appendingPathComponent("mnist")
        let names = Self.fileNames(split)
        if download {
            try Self.downloadMissing([names.images, names.labels], into: folder, mirrors: mirrors)
        }
        let loaded = try loadIDXPair(
            folder: folder, images: names.images, labels: names.labels,
            imageShape: [28, 28], classCount: 10, sampleCount: Self.sampleCount(split), datasetName: "MNIST")
        self.split = split
        self.pixels = loaded.pixels
        self.labels = loaded.labels
    }

    /// Images in a split: 60,000 for training, 10,000 for testing (Fashion-MNIST's too).
    public static func sampleCount(_ split: Split) -> Int { split == .train ? 60_000 : 10_000 }

    /// Downloads those of `files` that are in `folder` neither gzipped nor plain, each as
    /// `NAME.gz` checked against `checksum(NAME)`; one error names everything missing.
    static func downloadMissing(
        _ files: [String], into folder: String, mirrors: [String], datasetName: String = "MNIST",
        checksum: (String) -> Download.Checksum = { .sha256OfContent(MNIST.checksums[$0] ?? "") }
    ) throws {
        let missing = files.filter { findFile(folder: folder, name: $0) == nil }
        var failures: [DatasetError] = []
        for name in missing {
            do {
                try Download.fetch(file: name + ".gz", from: mirrors, into: folder, expected: checksum(name))
            } catch let error as DatasetError {
                failures.append(error)
            }
        }
        if !failures.isEmpty {
            // One line: what is missing, why it could not be fetched, and what to do.
            let reasons = Array(Set(failures.map(\.reason))).sorted()
            throw DatasetError(
                path: folder,
                reason: "cannot load \(datasetName): \(missing.map { $0 + ".gz" }.joined(separator: ", ")) "
                    + "\(missing.count == 1 ? "is" : "are") missing and could not be downloaded "
                    + "(\(reasons.joined(separator: "; "))); put them (gzipped or not) in \(folder), "
                    + "or choose another data directory with --data DIR or KINDLING_DATA")
        }
    }
}

/// The path of `name` or `name.gz` in `folder`, whichever exists (the gzipped one first).
func findFile(folder: String, name: String) -> String? {
    for candidate in [name + ".gz", name] {
        let path = (folder as NSString).appendingPathComponent(candidate)
        if FileManager.default.fileExists(atPath: path) { return path }
    }
    return nil
}

/// Reads the IDX file `name` from `folder`, plain or gzipped (`name.gz`), at most `maximumSize`
/// bytes once decompressed. When both are there they must hold the same content (as after
/// `gunzip -k`); two different files of one name are refused rather than one chosen silently.
func readIDX(folder: String, name: String, maximumSize: Int) throws -> (path: String, file: IDXFile) {
    let gzipped = (folder as NSString).appendingPathComponent(name + ".gz")
    let plain = (folder as NSString).appendingPathComponent(name)
    let candidates = [gzipped, plain].filter { FileManager.default.fileExists(atPath: $0) }
    guard let first = candidates.first else { throw DatasetError(path: gzipped, reason: "file not found") }
    let file = try IDXFile(contentsOf: first, maximumSize: maximumSize)
    if candidates.count == 2 {
        let other = try IDXFile(contentsOf: plain, maximumSize: maximumSize)
        guard other.payload == file.payload && other.dimensions == file.dimensions else {
            throw DatasetError(
                path: plain,
                reason: "differs from \((gzipped as NSString).lastPathComponent) beside it; keep the one you mean")
        }
    }
    return (first, file)
}

/// Reads an IDX image file and its IDX label file and checks they belong together: byte images
/// of `imageShape`, byte labels, the same count, every label a class.
func loadIDXPair(
    folder: String, images: String, labels: String, imageShape: [Int], classCount: Int, sampleCount: Int,
    datasetName: String
) throws -> (pixels: [UInt8], labels: [Int]) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw DatasetError(
            path: folder, reason: "\(datasetName) folder not found: it should hold \(images).gz and \(labels).gz")
    }
    // A split's files can hold no more than its images and labels with their IDX headers: a
    // larger file (or a gzip bomb) is refused before it is read or inflated.
    let imageBytes = 4 + 4 * (1 + imageShape.count) + sampleCount * imageShape.reduce(1, *)
    let (imagesPath, imageFile) = try readIDX(folder: folder, name: images, maximumSize: imageBytes)
    let (labelsPath, labelFile) = try readIDX(folder: folder, name: labels, maximumSize: 8 + sampleCount)
    guard imageFile.elementType == .uint8, imageFile.dimensions.count == 1 + imageShape.count,
        Array(imageFile.dimensions.dropFirst()) == imageShape
    else {
        throw DatasetError(
            path: imagesPath,
            reason:
                "expected unsigned-byte images of shape N x \(imageShape.map(String.init).joined(separator: " x ")), found \(imageFile.elementType) \(imageFile.dimensions.map(String.init).joined(separator: " x "))"
        )
    }
    guard labelFile.elementType == .uint8, labelFile.dimensions.count == 1 else {
        throw DatasetError(
            path: labelsPath,
            reason:
                "expected a one-dimensional unsigned-byte label file, found \(labelFile.elementType) \(labelFile.dimensions.map(String.init).joined(separator: " x "))"
        )
    }
    let labelValues = labelFile.payload.map(Int.init)
    try validate(
        pixels: imageFile.payload, labels: labelValues, imageSize: imageShape.reduce(1, *),
        classCount: classCount, imagesPath: imagesPath, labelsPath: labelsPath)
    return (imageFile.payload, labelValues)
}

/// Refuses a data directory that is something other than a folder (a file named by `--data`),
/// before anything tries to read or download into it.
func checkDataDirectory(_ directory: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw DatasetError(path: directory, reason: "the data directory is a file, not a folder (see --data)")
    }
}
