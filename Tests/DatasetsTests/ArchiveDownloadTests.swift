import Compression
import Datasets
import Foundation
import Testing

@Suite("Downloading CIFAR-10's archive and Fashion-MNIST (from a server on 127.0.0.1)", .serialized)
struct ArchiveDownloadTests {
    /// Three records per batch file: label `batch`, pixels all `batch * 10 + record`.
    static func batch(_ number: Int) -> [UInt8] {
        (0..<3).flatMap { record in [UInt8(number)] + [UInt8](repeating: UInt8(number * 10 + record), count: 3072) }
    }

    static let names = (1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]

    /// A CIFAR-10 look-alike (the reader is tested against GNU tar's own archives in
    /// CompressionTests): the six batch files, the class names, and two members whose names
    /// try to write outside the folder.
    static func archive() -> [UInt8] {
        var members = names.enumerated().map { ("cifar-10-batches-bin/" + $0.element, batch($0.offset)) }
        members.append(("cifar-10-batches-bin/batches.meta.txt", Array("airplane\nautomobile\n".utf8)))
        members.append(("../escaped.bin", Array("outside".utf8)))
        members.append(("cifar-10-batches-bin/../../escaped.bin", Array("outside".utf8)))
        return Gzip.compress(TarArchive.ustar(members))
    }

    func listing(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    @Test("CIFAR-10's archive is downloaded, its MD5 checked, and only its six batches and names unpacked")
    func cifar() throws {
        let archive = Self.archive()
        let server = try LoopbackHTTPServer(files: ["/kriz/cifar-10-binary.tar.gz": archive])
        defer { server.stop() }
        let root = TemporaryDirectory()
        let directory = root.path + "/data"
        let lines = LinesCollector()
        let test = try CIFAR10(
            split: .test, directory: directory, mirrors: [server.baseURL + "kriz/"], archiveMD5: MD5.hex(archive),
            log: lines.add)
        #expect(test.count == 3 && test.labels == [5, 5, 5])
        #expect(test.pixels[3072] == 51)
        #expect(listing(directory) == ["cifar-10-batches-bin"])
        #expect(listing(directory + "/cifar-10-batches-bin") == (Self.names + ["batches.meta.txt"]).sorted())
        #expect(listing(root.path) == ["data"], "nothing written outside the data folder")
        #expect(lines.all.contains { $0.contains("unpacking cifar-10-binary.tar.gz") })
        // The training split is now read from disk, with no second download.
        let train = try CIFAR10(split: .train, directory: directory, mirrors: [server.baseURL + "kriz/"])
        #expect(train.count == 15 && server.requestedPaths.count == 1)
    }

    @Test("A CIFAR-10 archive with the wrong MD5 is refused and nothing is written")
    func cifarWrongChecksum() throws {
        let server = try LoopbackHTTPServer(files: ["/cifar-10-binary.tar.gz": Self.archive()])
        defer { server.stop() }
        let root = TemporaryDirectory()
        #expect {
            try CIFAR10(
                split: .test, directory: root.path, mirrors: [server.baseURL], archiveMD5: CIFAR10.archiveMD5,
                log: { _ in })
        } throws: { error in
            let text = "\(error)"
            return text.contains("MD5") && text.contains(CIFAR10.archiveMD5) && text.contains("by hand")
                && !text.contains("\n")
        }
        #expect(listing(root.path).isEmpty)
    }

    @Test("CIFAR-10 offline: one line naming the folder, the archive's address and the tar command")
    func cifarOffline() throws {
        let empty = try LoopbackHTTPServer(files: [:])
        defer { empty.stop() }
        let root = TemporaryDirectory()
        #expect {
            try CIFAR10(split: .train, directory: root.path, mirrors: [empty.baseURL], log: { _ in })
        } throws: { error in
            let text = "\(error)"
            return text.contains(root.path + "/cifar-10-batches-bin") && text.contains(CIFAR10.downloadURL)
                && text.contains("tar xzf cifar-10-binary.tar.gz") && text.contains("HTTP 404") && !text.contains("\n")
        }
        #expect(listing(root.path).isEmpty)
    }

    @Test("An archive missing a batch is refused, and no folder appears")
    func cifarIncomplete() throws {
        let partial = Gzip.compress(TarArchive.ustar([("cifar-10-batches-bin/test_batch.bin", Self.batch(0))]))
        let server = try LoopbackHTTPServer(files: ["/cifar-10-binary.tar.gz": partial])
        defer { server.stop() }
        let root = TemporaryDirectory()
        #expect {
            try CIFAR10(
                split: .test, directory: root.path, mirrors: [server.baseURL], archiveMD5: MD5.hex(partial),
                log: { _ in })
        } throws: { error in
            "\(error)".contains("the archive has no cifar-10-batches-bin/data_batch_1.bin")
        }
        #expect(listing(root.path).isEmpty)
    }

    @Test("Fashion-MNIST downloads missing files, keeping those whose MD5 is the published one")
    func fashion() throws {
        let names = MNIST.fileNames(.test)
        let images = storedGzip(idxBytes(dimensions: [2, 28, 28], values: [UInt8](repeating: 7, count: 2 * 784)))
        let labels = storedGzip(idxBytes(dimensions: [2], values: [9, 1]))
        let server = try LoopbackHTTPServer(files: [
            "/" + names.images + ".gz": images, "/" + names.labels + ".gz": labels,
        ])
        defer { server.stop() }
        let directory = TemporaryDirectory()
        let checksums = [names.images: MD5.hex(images), names.labels: MD5.hex(labels)]
        let test = try FashionMNIST(
            split: .test, directory: directory.path, mirrors: [server.baseURL], checksums: checksums)
        #expect(test.labels == [9, 1] && test.classNames[9] == "Ankle boot")
        #expect(listing(directory.path + "/fashion-mnist") == [names.images + ".gz", names.labels + ".gz"].sorted())
        // With the published checksums these files are not Zalando's: refused, in one line.
        let other = TemporaryDirectory()
        #expect {
            try FashionMNIST(split: .test, directory: other.path, mirrors: [server.baseURL])
        } throws: { error in
            "\(error)".contains("cannot load Fashion-MNIST") && "\(error)".contains("MD5")
                && "\(error)".contains(FashionMNIST.checksums[names.images]!)
        }
    }
}
