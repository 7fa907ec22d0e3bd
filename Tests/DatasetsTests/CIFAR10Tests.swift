import Datasets
import Testing

@Suite("The CIFAR-10 binary reader")
struct CIFAR10Tests {
    /// One record: a label byte, then red, green and blue planes filled with recognisable values.
    func record(label: UInt8, red: UInt8, green: UInt8, blue: UInt8) -> [UInt8] {
        [label] + [UInt8](repeating: red, count: 1024) + [UInt8](repeating: green, count: 1024)
            + [UInt8](repeating: blue, count: 1024)
    }

    @Test("Records are read as label plus channel-major 3x32x32 pixels")
    func readsRecords() throws {
        let directory = TemporaryDirectory()
        directory.write(
            "cifar-10-batches-bin/test_batch.bin",
            record(label: 3, red: 10, green: 20, blue: 30) + record(label: 8, red: 1, green: 2, blue: 3))
        let test = try CIFAR10(split: .test, directory: directory.path)
        #expect(test.count == 2)
        #expect(test.labels == [3, 8])
        #expect(test.classNames[test.labels[0]] == "cat")
        let first = Array(test.imageBytes(0))
        #expect(first.count == 3072)
        #expect(first[0] == 10 && first[1024] == 20 && first[2047] == 20 && first[3071] == 30)
        #expect(test.imageBytes(1).first == 1)
    }

    @Test("The training split joins data_batch_1 to data_batch_5 in order")
    func trainingSplit() throws {
        let directory = TemporaryDirectory()
        for batch in 1...5 {
            directory.write(
                "cifar-10-batches-bin/data_batch_\(batch).bin",
                record(label: UInt8(batch), red: 0, green: 0, blue: 0))
        }
        #expect(try CIFAR10(split: .train, directory: directory.path).labels == [1, 2, 3, 4, 5])
    }

    @Test("A file that is not whole records, an empty one, or a label of 10 is refused naming the file")
    func malformed() {
        let directory = TemporaryDirectory()
        let path = directory.write(
            "cifar-10-batches-bin/test_batch.bin", Array(record(label: 1, red: 0, green: 0, blue: 0).dropLast()))
        #expect { try CIFAR10(split: .test, directory: directory.path) } throws: {
            "\($0)".hasPrefix(path) && "\($0)".contains("3073-byte records")
        }
        directory.write("cifar-10-batches-bin/test_batch.bin", [])
        #expect { try CIFAR10(split: .test, directory: directory.path) } throws: { "\($0)".contains("empty") }
        directory.write("cifar-10-batches-bin/test_batch.bin", record(label: 10, red: 0, green: 0, blue: 0))
        #expect { try CIFAR10(split: .test, directory: directory.path) } throws: { "\($0)".contains("label 10") }
    }

    @Test("A missing folder says where to download CIFAR-10 and where to unpack it")
    func missingFolder() {
        let directory = TemporaryDirectory()
        #expect { try CIFAR10(split: .test, directory: directory.path) } throws: { error in
            "\(error)".contains("cifar-10-binary.tar.gz") && "\(error)".contains(directory.path)
        }
    }
}
