import MatrixMath
import Random

/// One mini-batch: images as floats, one row per image, and their labels.
///
/// ## Shape
/// `inputs`: [batch, channels * height * width] (a `Matrix`, so a linear model can use it as it is);
/// `shape`: [batch, channels, height, width], for layers that need the image structure back.
public struct Batch: Sendable {
    public let inputs: Matrix
    public let labels: [Int]
    public let shape: [Int]
    /// The dataset indices of the images, in batch order.
    public let indices: [Int]

    public var count: Int { labels.count }
}

/// Serves a dataset in mini-batches, like PyTorch's `DataLoader`: optionally shuffled (with a
/// seeded generator, so the same seed gives the same order), optionally dropping a last partial
/// batch, optionally limited to the first `limit` samples for a quick run, and optionally
/// restricted to a range of the dataset (a validation split).
///
/// Each pass (`for batch in loader`) is one epoch; a shuffling loader draws a new order for each
/// pass from its generator, so epoch 2 differs from epoch 1 but a rerun with the same seed repeats
/// both.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 1,
///                         normalize: MNIST.normalization)
/// for batch in loader { ... batch.inputs ... batch.labels ... }
/// ```
public final class DataLoader<Dataset: ImageClassificationDataset>: Sequence {
    public let dataset: Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let normalize: Normalize?
    /// The dataset indices this loader serves (before shuffling).
    public let indices: [Int]
    /// The generator that draws each epoch's order; saving it saves the loader's place.
    public var generator: SeededGenerator

    /// - Parameters:
    ///   - batchSize: images per batch.
    ///   - shuffle: draw a new random order for every epoch.
    ///   - seed: the seed of that order; without one, a shuffling loader draws its seed from the
    ///     default generator, so that one `manualSeed` makes the whole run reproducible, as
    ///     `torch.manual_seed` does for PyTorch's DataLoader.
    ///   - dropLast: leave out a last batch smaller than `batchSize`.
    ///   - limit: serve only the first `limit` samples of `range`.
    ///   - range: serve only these dataset indices (for example `50_000..<60_000` for validation).
    ///   - normalize: applied to every image after scaling bytes to 0...1.
    public init(
        _ dataset: Dataset, batchSize: Int, shuffle: Bool = false, seed: UInt64? = nil,
        dropLast: Bool = false, limit: Int? = nil, range: Range<Int>? = nil,
        normalize: Normalize? = nil
    ) {
        precondition(batchSize >= 1, "DataLoader: batch size must be at least 1, got \(batchSize)")
        let range = range ?? 0..<dataset.count
        precondition(
            range.lowerBound >= 0 && range.upperBound <= dataset.count,
            "DataLoader: range \(range) is outside the dataset's 0..<\(dataset.count)")
        precondition((limit ?? 0) >= 0, "DataLoader: limit must not be negative, got \(limit ?? 0)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.normalize = normalize
        self.indices = Array(range.prefix(limit ?? range.count))
        // A loader that does not shuffle draws nothing, leaving the default generator's stream alone.
        let drawn = shuffle && seed == nil ? DefaultGenerator.withGenerator { $0.next() } : 0
        self.generator = SeededGenerator(seed: seed ?? drawn)
    }

    /// Number of samples served per epoch.
    public var sampleCount: Int { dropLast ? indices.count / batchSize * batchSize : indices.count }

    /// Number of batches per epoch.
    public var count: Int {
        // Rounded up without adding batchSize first, which overflows for a huge batch size.
        indices.count / batchSize + (dropLast || indices.count % batchSize == 0 ? 0 : 1)
    }

    /// Starts an epoch: a new order when shuffling.
    public func makeIterator() -> Iterator {
        var order = indices
        if shuffle {
            // Fisher-Yates: each position takes a uniformly chosen element of those left.
            for position in stride(from: order.count - 1, to: 0, by: -1) {
                let other = Int(generator.next() % UInt64(position + 1))
                order.swapAt(position, other)
            }
        }
        return Iterator(loader: self, order: order)
    }

    public struct Iterator: IteratorProtocol {
        let loader: DataLoader
        let order: [Int]
        var position = 0

        public mutating func next() -> Batch? {
            let remaining = order.count - position
            guard remaining > 0, !(loader.dropLast && remaining < loader.batchSize) else { return nil }
            let chosen = Array(order[position..<position + Swift.min(loader.batchSize, remaining)])
            position += chosen.count
            return loader.makeBatch(chosen)
        }
    }

    /// Builds the batch of the given dataset indices.
    public func makeBatch(_ chosen: [Int]) -> Batch {
        let size = dataset.imageSize
        let (channels, plane) = (dataset.channels, dataset.height * dataset.width)
        if let normalize {
            precondition(
                channels == normalize.mean.count,
                "Normalize: configured for \(normalize.mean.count) channel(s), the images have \(channels)")
        }
        let values = [Float](unsafeUninitializedCapacity: chosen.count * size) { out, initialized in
            dataset.pixels.withUnsafeBufferPointer { pixels in
                // Read unchecked below: every chosen image must lie inside the dataset and its pixels.
                let images = Swift.min(dataset.count, pixels.count / Swift.max(size, 1))
                precondition(
                    chosen.allSatisfy { (0..<images).contains($0) },
                    "DataLoader.makeBatch: an index is outside the dataset's 0..<\(images)")
                guard let source = pixels.baseAddress, let target = out.baseAddress else { return }
                // Each plane's bytes to [0, 1], then normalised while the plane is still in cache:
                // one pass over the batch's memory, with `Normalize`'s own arithmetic.
                for (row, index) in chosen.enumerated() {
                    for channel in 0..<channels {
                        let from = source + index * size + channel * plane, to = target + row * size + channel * plane
                        for offset in 0..<plane { to[offset] = Float(from[offset]) / 255 }
                        normalize?.apply(toPlane: to, count: plane, channel: channel)
                    }
                }
            }
            initialized = chosen.count * size
        }
        return Batch(
            inputs: Matrix(rows: chosen.count, columns: size, storage: values),
            labels: chosen.map { dataset.labels[$0] },
            shape: [chosen.count, dataset.channels, dataset.height, dataset.width],
            indices: chosen)
    }
}
