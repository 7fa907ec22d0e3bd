import Foundation

/// Fashion-MNIST (Zalando, 2017): 28x28 grey images of ten kinds of clothing, a drop-in
/// replacement for MNIST that is harder to classify. It uses MNIST's four file names and format,
/// in `directory/fashion-mnist/`; it is not downloaded automatically.
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

    public init(split: MNIST.Split, directory: String) throws {
        try checkDataDirectory(directory)
        let folder = (directory as NSString).appendingPathComponent("fashion-mnist")
        let names = MNIST.fileNames(split)
        let loaded = try loadIDXPair(
            folder: folder, images: names.images, labels: names.labels,
            imageShape: [28, 28], classCount: 10, sampleCount: MNIST.sampleCount(split), datasetName: "Fashion-MNIST")
        self.split = split
        self.pixels = loaded.pixels
        self.labels = loaded.labels
    }
}
