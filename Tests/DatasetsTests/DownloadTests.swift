import Compression
import Datasets
import Foundation
import Testing

/// Downloads are tested against a server on 127.0.0.1 that this test starts: no internet.
@Suite("Downloading datasets from mirrors", .serialized)
struct DownloadTests {
    let content = Array("label bytes of a tiny dataset".utf8)

    @Test("A file is fetched, its SHA-256 verified after gunzip, and written in place")
    func fetches() throws {
        let server = try LoopbackHTTPServer(files: ["/files/tiny.gz": storedGzip(content)])
        defer { server.stop() }
        let directory = TemporaryDirectory()
        let lines = LinesCollector()
        try Download.fetch(
            file: "tiny.gz", from: [server.baseURL + "files/"], into: directory.path,
            expectedSHA256: SHA256.hex(content), log: lines.add)
        let written = [UInt8](FileManager.default.contents(atPath: directory.path + "/tiny.gz")!)
        #expect(try Gzip.decompress(written) == content)
        #expect(lines.all.contains { $0.contains("downloading tiny.gz") && $0.contains("100%") })
    }

    @Test("A mirror with the wrong content or a 404 is skipped for the next one")
    func fallsBack() throws {
        let bad = try LoopbackHTTPServer(files: ["/tiny.gz": storedGzip(Array("tampered".utf8))])
        let good = try LoopbackHTTPServer(files: ["/tiny.gz": storedGzip(content)])
        defer {
            bad.stop()
            good.stop()
        }
        let directory = TemporaryDirectory()
        try Download.fetch(
            file: "tiny.gz", from: [good.baseURL + "missing/", bad.baseURL, good.baseURL],
            into: directory.path, expectedSHA256: SHA256.hex(content), log: { _ in })
        #expect(good.requestedPaths == ["/missing/tiny.gz", "/tiny.gz"])
        #expect(bad.requestedPaths == ["/tiny.gz"])
        #expect(FileManager.default.fileExists(atPath: directory.path + "/tiny.gz"))
    }

    @Test("When every mirror fails, nothing is written and the error lists each mirror's failure")
    func allFail() throws {
        let bad = try LoopbackHTTPServer(files: ["/tiny.gz": storedGzip(Array("tampered".utf8))])
        defer { bad.stop() }
        let directory = TemporaryDirectory()
        #expect {
            try Download.fetch(
                file: "tiny.gz", from: [bad.baseURL], into: directory.path,
                expectedSHA256: SHA256.hex(content), log: { _ in })
        } throws: { error in
            "\(error)".contains("tiny.gz") && "\(error)".contains("SHA-256")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/tiny.gz"))
    }

    @Test("MNIST offline: the error names the missing files and the folder to put them in")
    func offlineMNIST() throws {
        // A server that has nothing: every request is a 404, as good as being offline.
        let empty = try LoopbackHTTPServer(files: [:])
        defer { empty.stop() }
        let directory = TemporaryDirectory()
        #expect {
            try MNIST(split: .test, directory: directory.path, mirrors: [empty.baseURL])
        } throws: { error in
            let text = "\(error)"
            return text.contains("t10k-images-idx3-ubyte.gz") && text.contains("t10k-labels-idx1-ubyte.gz")
                && text.contains(directory.path + "/mnist") && text.contains("--data")
        }
    }

    @Test(
        "MNIST downloads missing files from a mirror and loads them",
        .enabled(if: realMNISTDirectory != nil, "needs the real MNIST test labels to serve"))
    func downloadsMNIST() throws {
        // Serve the real t10k files (their SHA-256 is the published one) from loopback.
        let source = try #require(realMNISTDirectory) + "/mnist/"
        var files: [String: [UInt8]] = [:]
        for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            let path =
                FileManager.default.fileExists(atPath: source + name + ".gz") ? source + name + ".gz" : source + name
            var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            if !Gzip.isGzip(bytes) { bytes = storedGzip(bytes) }
            files["/mnist/" + name + ".gz"] = bytes
        }
        let server = try LoopbackHTTPServer(files: files)
        defer { server.stop() }
        let directory = TemporaryDirectory()
        let test = try MNIST(split: .test, directory: directory.path, mirrors: [server.baseURL + "mnist/"])
        #expect(test.count == 10_000)
        #expect(server.requestedPaths.count == 2)
    }
}

/// Collects log lines from any thread.
final class LinesCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    var add: @Sendable (String) -> Void { { line in self.lock.withLock { self.lines.append(line) } } }
}
