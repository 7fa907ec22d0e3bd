/// A labelled image dataset held in memory as bytes, as MNIST and CIFAR-10 are distributed.
///
/// Images are kept as `UInt8` (one byte per pixel per channel) and turned into floats one batch at
/// a time by a `DataLoader`: 60,000 MNIST images are 47 MB as bytes, four times that as floats.
///
/// ## Shape
/// `pixels` holds N images of channels x height x width bytes, channel-major (NCHW), one after the
/// other; `labels` holds N class indices in 0..<classNames.count.
public protocol ImageClassificationDataset: Sendable {
    /// All images, N x channels x height x width bytes.
    var pixels: [UInt8] { get }
    /// The class of each image.
    var labels: [Int] { get }
    var channels: Int { get }
    var height: Int { get }
    var width: Int { get }
    /// The name of each class, indexed by label.
    var classNames: [String] { get }
}

extension ImageClassificationDataset {
    /// Number of images.
    public var count: Int { labels.count }

    /// Bytes per image.
    public var imageSize: Int { channels * height * width }

    /// The bytes of image `index`.
    public func imageBytes(_ index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "image index \(index) out of range 0..<\(count)")
        return pixels[index * imageSize..<(index + 1) * imageSize]
    }

    /// Image `index` as floats in 0...1.
    public func image(_ index: Int) -> [Float] {
        imageBytes(index).map { Float($0) / 255 }
    }

    /// How many images of each class, indexed by label.
    public func labelCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// Mean and standard deviation of all pixel values scaled to 0...1 (over all channels): the
    /// numbers `Normalize` needs. MNIST's training set gives 0.1307 and 0.3081.
    public func pixelStatistics() -> (mean: Double, std: Double) {
        var sum = 0.0, sumOfSquares = 0.0
        // Counting each byte value once, then weighting, is exact and fast.
        var histogram = [Int](repeating: 0, count: 256)
        for byte in pixels { histogram[Int(byte)] += 1 }
        for (value, frequency) in histogram.enumerated() {
            let x = Double(value) / 255
            sum += x * Double(frequency)
            sumOfSquares += x * x * Double(frequency)
        }
        let n = Double(pixels.count)
        let mean = sum / n
        return (mean, (sumOfSquares / n - mean * mean).squareRoot())
    }
}

/// Checks that images and labels agree and every label is a valid class; shared by the loaders.
func validate(
    pixels: [UInt8], labels: [Int], imageSize: Int, classCount: Int,
    imagesPath: String, labelsPath: String
) throws {
    guard !labels.isEmpty else {
        throw DatasetError(path: labelsPath, reason: "holds no images: there is nothing to train on or test")
    }
    guard pixels.count == labels.count * imageSize else {
        throw DatasetError(
            path: imagesPath,
            reason:
                "holds \(pixels.count / Swift.max(imageSize, 1)) images but \(labelsPath) holds \(labels.count) labels")
    }
    if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
        throw DatasetError(
            path: labelsPath, reason: "label \(labels[bad]) at index \(bad) is not a class in 0..<\(classCount)")
    }
}
