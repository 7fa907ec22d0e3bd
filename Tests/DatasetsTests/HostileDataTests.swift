import Compression
import Datasets
import Foundation
import Testing

/// Data files that are bombs, sparse giants or confusing: each refused quickly, naming the file.
@Suite("Hostile dataset files are refused before they fill the memory")
struct HostileDataTests {
    @Test("A gzip bomb named t10k-images (600 MB of zeros) is refused at MNIST's 7.8 MB, not inflated")
    func gzipBomb() throws {
        let directory = TemporaryDirectory()
        writeFakeMNIST(in: directory, split: .test, labels: [1, 2], gzipped: true)
        // 600 gzip members of 1 MiB of zeros each: 4 MB on disk, 600 MiB inflated (gzip readers
        // join members, so this is one valid file); only the first 7.8 MB may ever be inflated.
        let member = Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: .fast)
        let bomb = Array([[UInt8]](repeating: member, count: 600).joined())
        #expect(bomb.count < 8 << 20)
        directory.write("mnist/t10k-images-idx3-ubyte.gz", bomb)
        #expect {
            _ = try MNIST(split: .test, directory: directory.path, download: false)
        } throws: { error in
            "\(error)".contains("t10k-images-idx3-ubyte.gz") && "\(error)".contains("at most 7840016 bytes")
        }
    }

    @Test("A 1 GB sparse IDX file and a 1 GB sparse CIFAR-10 batch are refused from their size")
    func sparseGiants() throws {
        let directory = TemporaryDirectory()
        writeFakeMNIST(in: directory, split: .test, labels: [1, 2], gzipped: false)
        let images = directory.path + "/mnist/t10k-images-idx3-ubyte"
        #expect(truncate(images, 1 << 30) == 0)
        #expect {
            _ = try MNIST(split: .test, directory: directory.path, download: false)
        } throws: { error in
            "\(error)" == "\(images): cannot read: it is 1073741824 bytes; an IDX file here is at most 7840016 bytes"
        }
        let batch = directory.write("cifar-10-batches-bin/test_batch.bin", [])
        #expect(truncate(batch, 1 << 30) == 0)
        #expect {
            _ = try CIFAR10(split: .test, directory: directory.path)
        } throws: { error in
            "\(error)" == "\(batch): cannot read: it is 1073741824 bytes; a CIFAR-10 batch is at most 30730000 bytes"
        }
    }

    @Test("A gzipped CIFAR-10 batch is read, under either name")
    func gzippedCIFAR() throws {
        let directory = TemporaryDirectory()
        let record = [UInt8(3)] + [UInt8](repeating: 7, count: 3072)
        directory.write("cifar-10-batches-bin/test_batch.bin.gz", storedGzip(record + record))
        #expect(try CIFAR10(split: .test, directory: directory.path).labels == [3, 3])
        directory.write("cifar-10-batches-bin/test_batch.bin", storedGzip(record))
        #expect(try CIFAR10(split: .test, directory: directory.path).labels == [3])
    }

    @Test("A plain file beside a different .gz of the same name is refused; an identical one is fine")
    func gzipAndPlainDisagree() throws {
        let directory = TemporaryDirectory()
        writeFakeMNIST(in: directory, split: .test, labels: [1, 2], gzipped: true)
        writeFakeMNIST(in: directory, split: .test, labels: [1, 2], gzipped: false)
        #expect(try MNIST(split: .test, directory: directory.path, download: false).labels == [1, 2])
        let labels = directory.write("mnist/t10k-labels-idx1-ubyte", idxBytes(dimensions: [2], values: [3, 4]))
        #expect {
            _ = try MNIST(split: .test, directory: directory.path, download: false)
        } throws: { error in
            "\(error)" == "\(labels): differs from t10k-labels-idx1-ubyte.gz beside it; keep the one you mean"
        }
    }

    @Test("A data directory that is a file, and a test set of no images, are refused in one line")
    func dataDirectoryIsAFile() throws {
        let directory = TemporaryDirectory()
        let file = directory.write("not-a-folder", [1])
        #expect {
            _ = try MNIST(split: .test, directory: file, download: true)
        } throws: { error in
            "\(error)" == "\(file): the data directory is a file, not a folder (see --data)"
        }
        writeFakeMNIST(in: directory, split: .test, labels: [], gzipped: false)
        #expect {
            _ = try MNIST(split: .test, directory: directory.path, download: false)
        } throws: { error in
            "\(error)".contains("holds no images")
        }
    }

    @Test("A batch size of Int.max makes one batch, not an overflow")
    func hugeBatchSize() throws {
        let directory = TemporaryDirectory()
        writeFakeMNIST(in: directory, split: .test, labels: [1, 2, 3], gzipped: false)
        let loader = DataLoader(try MNIST(split: .test, directory: directory.path, download: false), batchSize: .max)
        #expect(loader.count == 1)
        #expect(Array(loader).first?.count == 3)
    }
}
