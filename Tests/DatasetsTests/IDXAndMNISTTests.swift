import Compression
import Datasets
import Foundation
import Testing

@Suite("IDX files and the MNIST loader")
struct IDXAndMNISTTests {
    @Test("An IDX file's magic, dimensions and bytes are read, plain and gzipped")
    func readsIDX() throws {
        let directory = TemporaryDirectory()
        let bytes = idxBytes(dimensions: [2, 3], values: [1, 2, 3, 4, 5, 6])
        for path in [directory.write("a.idx", bytes), directory.write("a.idx.gz", storedGzip(bytes))] {
            let file = try IDXFile(contentsOf: path)
            #expect(file.elementType == .uint8)
            #expect(file.dimensions == [2, 3])
            #expect(file.payload == [1, 2, 3, 4, 5, 6])
        }
    }

    @Test("IDX element types other than bytes are decoded big-endian")
    func otherTypes() throws {
        // Two int16 values, 258 and -2, then a float32 1.5.
        let shorts = try IDXFile(bytes: [0, 0, 0x0B, 1] + bigEndian(2) + [1, 2, 0xFF, 0xFE], path: "shorts")
        #expect(shorts.values() == [258, -2])
        let floats = try IDXFile(
            bytes: [0, 0, 0x0D, 1] + bigEndian(1) + bigEndian(Float(1.5).bitPattern), path: "floats")
        #expect(floats.values() == [1.5])
    }

    @Test("Wrong magic, unknown type, truncation and extra bytes each throw an error naming the file")
    func malformedIDX() {
        func failure(_ bytes: [UInt8]) -> String {
            do {
                _ = try IDXFile(bytes: bytes, path: "digits.idx")
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(failure([1, 0, 8, 1] + bigEndian(1) + [0]).hasPrefix("digits.idx: not an IDX file"))
        #expect(failure([0, 0, 0x42, 1] + bigEndian(1) + [0]).contains("unknown IDX element type 0x42"))
        #expect(failure([0, 0, 8]).contains("too short"))
        #expect(failure([0, 0, 8, 2] + bigEndian(2)).contains("truncated"))
        #expect(failure([0, 0, 8, 1] + bigEndian(3) + [1, 2]).contains("truncated"))
        #expect(failure([0, 0, 8, 1] + bigEndian(1) + [1, 2]).contains("1 more"))
        // A header claiming 4 billion x 4 billion bytes must be refused, not allocated.
        #expect(failure([0, 0, 8, 2] + bigEndian(.max) + bigEndian(.max) + [1]).contains("need more bytes"))
    }

    @Test("MNIST loads gzipped and plain files, with labels and pixels in order")
    func loadsMNIST() throws {
        for gzipped in [true, false] {
            let directory = TemporaryDirectory()
            writeFakeMNIST(in: directory, split: .test, labels: [3, 1, 4, 1, 5], gzipped: gzipped)
            let test = try MNIST(split: .test, directory: directory.path, download: false)
            #expect(test.count == 5)
            #expect(test.labels == [3, 1, 4, 1, 5])
            #expect(test.imageBytes(2).allSatisfy { $0 == 80 })
            #expect(test.image(0).first == Float(60) / 255)
            #expect(test.labelCounts() == [0, 2, 0, 1, 1, 1, 0, 0, 0, 0])
        }
    }

    @Test("Image and label counts that disagree are an error naming both files")
    func countMismatch() {
        let directory = TemporaryDirectory()
        writeFakeMNIST(in: directory, split: .train, labels: [1, 2, 3], gzipped: false)
        let names = MNIST.fileNames(.train)
        directory.write("mnist/" + names.labels, idxBytes(dimensions: [2], values: [1, 2]))
        #expect { try MNIST(split: .train, directory: directory.path, download: false) } throws: { error in
            let text = "\(error)"
            return text.contains(names.images) && text.contains("holds 3 images") && text.contains("2 labels")
        }
    }

    @Test("A label outside 0...9 is an error naming the label file and the index")
    func badLabel() {
        let directory = TemporaryDirectory()
        writeFakeMNIST(in: directory, split: .test, labels: [1, 12, 3], gzipped: true)
        #expect { try MNIST(split: .test, directory: directory.path, download: false) } throws: { error in
            "\(error)".contains("label 12 at index 1")
        }
    }

    @Test("Images of the wrong shape are refused with both shapes")
    func wrongShape() {
        let directory = TemporaryDirectory()
        let names = MNIST.fileNames(.test)
        directory.write("mnist/" + names.images, idxBytes(dimensions: [1, 2, 2], values: [1, 2, 3, 4]))
        directory.write("mnist/" + names.labels, idxBytes(dimensions: [1], values: [1]))
        #expect { try MNIST(split: .test, directory: directory.path, download: false) } throws: { error in
            "\(error)".contains("N x 28 x 28") && "\(error)".contains("1 x 2 x 2")
        }
    }

    @Test("An empty data directory gives an error naming the folder and the files it needs")
    func emptyDirectory() {
        let directory = TemporaryDirectory()
        #expect { try MNIST(split: .train, directory: directory.path, download: false) } throws: { error in
            "\(error)".contains("mnist") && "\(error)".contains("train-images-idx3-ubyte")
        }
    }

    @Test("A truncated gzipped image file is reported with its path, not as a partial dataset")
    func truncatedGzip() {
        let directory = TemporaryDirectory()
        writeFakeMNIST(in: directory, split: .test, labels: [1, 2], gzipped: true)
        let path = directory.path + "/mnist/" + MNIST.fileNames(.test).images + ".gz"
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        directory.write("mnist/" + MNIST.fileNames(.test).images + ".gz", Array(bytes.prefix(bytes.count / 2)))
        #expect { try MNIST(split: .test, directory: directory.path, download: false) } throws: { error in
            "\(error)".hasPrefix(path) && "\(error)".contains("truncated")
        }
    }

    @Test("The data directory comes from --data, then KINDLING_DATA, then ./data")
    func dataDirectory() {
        #expect(
            DataDirectory.resolve(arguments: ["prog", "--data", "/d"], environment: ["KINDLING_DATA": "/e"]) == "/d")
        #expect(DataDirectory.resolve(arguments: ["prog", "--data=/x"], environment: [:]) == "/x")
        #expect(DataDirectory.resolve(arguments: ["prog"], environment: ["KINDLING_DATA": "/e"]) == "/e")
        #expect(DataDirectory.resolve(arguments: ["prog"], environment: [:]) == "data")
    }

    @Test("Fashion-MNIST loads the same file format from fashion-mnist/ with clothing names")
    func fashion() throws {
        let directory = TemporaryDirectory()
        let names = MNIST.fileNames(.test)
        directory.write(
            "fashion-mnist/" + names.images + ".gz",
            storedGzip(idxBytes(dimensions: [1, 28, 28], values: [UInt8](repeating: 9, count: 784))))
        directory.write("fashion-mnist/" + names.labels + ".gz", storedGzip(idxBytes(dimensions: [1], values: [9])))
        let test = try FashionMNIST(split: .test, directory: directory.path)
        #expect(test.classNames[test.labels[0]] == "Ankle boot")
    }
}

@Suite(
    "The real MNIST files",
    .enabled(
        if: realMNISTDirectory != nil,
        "needs MNIST in $KINDLING_DATA/mnist or ../shared/data/mnist beside the checkout"))
struct RealMNISTTests {
    @Test("The real MNIST has DESIGN.md's label counts and pixel mean 0.1307, std 0.3081")
    func realData() throws {
        let directory = try #require(realMNISTDirectory)
        let train = try MNIST(split: .train, directory: directory, download: false)
        let test = try MNIST(split: .test, directory: directory, download: false)
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.labelCounts() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(test.labelCounts() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        let statistics = train.pixelStatistics()
        #expect(abs(statistics.mean - 0.1307) < 5e-5)
        #expect(abs(statistics.std - 0.3081) < 5e-5)
        #expect(train.labels.prefix(8) == [5, 0, 4, 1, 9, 2, 1, 3])
    }
}
