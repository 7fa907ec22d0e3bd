import Datasets
import MatrixMath
import Testing

/// A tiny dataset whose image i has every pixel equal to i, so batches show which images they hold.
struct CountingDataset: ImageClassificationDataset {
    let count: Int
    var pixels: [UInt8] { (0..<count).flatMap { [UInt8](repeating: UInt8($0), count: 4) } }
    var labels: [Int] { (0..<count).map { $0 % 3 } }
    var channels: Int { 1 }
    var height: Int { 2 }
    var width: Int { 2 }
    var classNames: [String] { ["a", "b", "c"] }
}

@Suite("DataLoader and Normalize")
struct DataLoaderTests {
    let dataset = CountingDataset(count: 10)

    @Test("Batches cover the data in order, the last one partial unless dropped")
    func batching() {
        let loader = DataLoader(dataset, batchSize: 4)
        #expect(loader.count == 3)
        #expect(loader.map(\.indices) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        let batch = loader.makeBatch([2, 5])
        #expect(batch.shape == [2, 1, 2, 2])
        #expect(batch.inputs.shapeText == "2x4")
        #expect(batch.inputs.row(1) == [Float](repeating: 5.0 / 255, count: 4))
        #expect(batch.labels == [2, 2])

        let dropping = DataLoader(dataset, batchSize: 4, dropLast: true)
        #expect(dropping.count == 2 && dropping.sampleCount == 8)
        #expect(dropping.map(\.count) == [4, 4])
    }

    @Test("limit and range select the samples served")
    func subsets() {
        #expect(DataLoader(dataset, batchSize: 3, limit: 5).flatMap(\.indices) == [0, 1, 2, 3, 4])
        #expect(DataLoader(dataset, batchSize: 3, range: 6..<10).flatMap(\.indices) == [6, 7, 8, 9])
        #expect(DataLoader(dataset, batchSize: 3, limit: 2, range: 6..<10).flatMap(\.indices) == [6, 7])
    }

    @Test("Shuffling with the same seed repeats the order; each epoch draws a new one")
    func shuffling() {
        let first = DataLoader(dataset, batchSize: 3, shuffle: true, seed: 42)
        let second = DataLoader(dataset, batchSize: 3, shuffle: true, seed: 42)
        let epoch1 = first.flatMap(\.indices), epoch2 = first.flatMap(\.indices)
        #expect(epoch1 == second.flatMap(\.indices))
        #expect(epoch2 == second.flatMap(\.indices))
        #expect(epoch1 != epoch2)
        #expect(epoch1.sorted() == Array(0..<10))
        #expect(DataLoader(dataset, batchSize: 3, shuffle: true, seed: 43).flatMap(\.indices) != epoch1)
    }

    @Test("Normalize gives each channel of every image in a batch its own mean and std")
    func normalizeBatchOfColourImages() {
        // Two 3-channel images of two pixels each: planes r g b r g b, each all ones.
        var values = [Float](repeating: 1, count: 12)
        Normalize(mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 0.125]).apply(to: &values, channels: 3, planeSize: 2)
        let expected: [Float] = [1.8, 1.8, 3.2, 3.2, 5.6, 5.6, 1.8, 1.8, 3.2, 3.2, 5.6, 5.6]
        #expect(zip(values, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(values)")
    }

    @Test("Normalize maps (x - mean) / std per channel")
    func normalize() {
        var values: [Float] = [0.5, 0.5, 1, 1, 0, 0.2]  // three channels of two pixels
        Normalize(mean: [0.5, 0, 0.1], std: [0.5, 2, 0.1]).apply(to: &values, channels: 3, planeSize: 2)
        #expect(zip(values, [0, 0, 0.5, 0.5, -1, 1]).allSatisfy { abs($0 - $1) < 1e-6 })
        let batch = DataLoader(dataset, batchSize: 2, normalize: Normalize(mean: [0.1307], std: [0.3081])).makeBatch([0]
        )
        #expect(abs(batch.inputs[0, 0] - (0 - 0.1307) / 0.3081) < 1e-6)
    }

    @Test("A normalised batch holds bitwise the values of x / 255 followed by Normalize.apply, per channel")
    func normalisedBatchEqualsTwoSteps() {
        /// Three-channel 3x2 images whose pixels run through all byte values.
        struct ColourDataset: ImageClassificationDataset {
            var count: Int { 12 }
            var pixels: [UInt8] { (0..<count * 18).map { UInt8(($0 * 37 + 11) % 256) } }
            var labels: [Int] { (0..<count).map { $0 % 10 } }
            var channels: Int { 3 }
            var height: Int { 3 }
            var width: Int { 2 }
            var classNames: [String] { (0..<10).map(String.init) }
        }
        let dataset = ColourDataset()
        let normalize = Normalize(mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261])
        let chosen = [7, 0, 11, 3]
        let batch = DataLoader(dataset, batchSize: 4, normalize: normalize).makeBatch(chosen)
        var expected = chosen.flatMap { index in dataset.pixels[index * 18..<(index + 1) * 18].map { Float($0) / 255 } }
        normalize.apply(to: &expected, channels: 3, planeSize: 6)
        #expect(batch.inputs.storage == expected)
        #expect(batch.labels == [7, 0, 1, 3])
    }
}
