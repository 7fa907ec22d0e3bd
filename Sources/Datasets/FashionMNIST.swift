import Foundation

/// Fashion-MNIST (Zalando, 2017): 28x28 grey images of ten kinds of clothing, a drop-in
/// replacement for MNIST that is harder to classify. It uses MNIST's four file names and format,
/// in `directory/fashion-mnist/`. Missing files are downloaded from Zalando's mirrors and kept
/// only if their MD5 is the published one.
///
/// ```swift
/// let test = try FashionMNIST(split: .test, directory: "data")
/// test.classNames[test.labels[0]]    // "Ankle boot"
/// ```
public struct FashionMNIST: ImageClassificationDataset {
    public let split: MNIST.Split
    public let pixels: [UInt8]
    public let labels: [Int]
    public var channels: Int { 1 }
    public var height: Int { 28 }
    public var width: Int { 28 }
    public var classNames: [String] {
        [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ]
    }

    /// Where the files are published, tried in order.
    public static let mirrors = [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ]

    /// The MD5 of each gzipped file, as Zalando publishes them.
    public static let checksums = [
        "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
    ]

    /// Loads one split from `directory/fashion-mnist/`, downloading missing files unless
    /// `download` is false; `mirrors` and `checksums` are for tests that serve files locally.
    public init(
        split: MNIST.Split, directory: String, download: Bool = true, mirrors: [String] = FashionMNIST.mirrors,
        checksums: [String: String] = FashionMNIST.checksums
    ) throws {
        try checkDataDirectory(directory)
        let folder = (directory as NSString).appendingPathComponent("fashion-mnist")
        let names = MNIST.fileNames(split)
        if download {
            try MNIST.downloadMissing(
                [names.images, names.labels], into: folder, mirrors: mirrors, datasetName: "Fashion-MNIST",
                checksum: { .md5OfFile(checksums[$0] ?? "") })
        }
        let loaded = try loadIDXPair(
            folder: folder, images: names.images, labels: names.labels,
            imageShape: [28, 28], classCount: 10, sampleCount: MNIST.sampleCount(split), datasetName: "Fashion-MNIST")
        self.split = split
        self.pixels = loaded.pixels
        self.labels = loaded.labels
    }
}
