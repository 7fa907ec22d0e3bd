import Compression
import Files
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches a dataset file from a list of mirrors, showing progress, and keeps it only if its
/// content has the published SHA-256.
///
/// The file is written to a temporary name beside its destination and renamed into place once
/// verified, so an interrupted download never leaves a half file that looks complete.
///
/// ```swift
/// try Download.fetch(file: "t10k-labels-idx1-ubyte.gz", from: MNIST.mirrors,
///                    into: "data/mnist", expectedSHA256: MNIST.checksums["t10k-labels-idx1-ubyte"]!)
/// ```
public enum Download {
    /// What a download must match to be kept.
    public enum Checksum: Sendable, Equatable {
        /// The SHA-256 of the content, after gunzip when the file is gzipped (mirrors may
        /// recompress, so the content is what is compared): MNIST's published digests.
        case sha256OfContent(String)
        /// The MD5 of the file exactly as served: what CIFAR-10's and Fashion-MNIST's authors publish.
        case md5OfFile(String)

        /// Nil when `bytes` match, else the reason they do not.
        func mismatch(_ bytes: [UInt8], maximumSize: Int) throws -> String? {
            switch self {
            case .sha256OfContent(let expected):
                let content = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, maximumOutputSize: maximumSize) : bytes
                let digest = SHA256.hex(content)
                return digest == expected ? nil : "SHA-256 \(digest) is not the expected \(expected)"
            case .md5OfFile(let expected):
                let digest = MD5.hex(bytes)
                return digest == expected ? nil : "MD5 \(digest) is not the expected \(expected)"
            }
        }
    }

    /// Downloads `file` from the first mirror that serves it with the right content, and writes it
    /// into `directory` (created if need be).
    /// - Parameters:
    ///   - expectedSHA256: hex digest of the *uncompressed* content (gzip files are checked after
    ///     decompression, since mirrors may recompress).
    ///   - maximumSize: the most bytes accepted, downloaded or decompressed (a mirror sending more
    ///     is cut off and skipped).
    ///   - log: where progress and mirror failures are reported (standard error by default).
    public static func fetch(
        file: String, from mirrors: [String], into directory: String,
        expectedSHA256: String, timeout: TimeInterval = 60, maximumSize: Int = 256 << 20,
        log: @escaping @Sendable (String) -> Void = Download.standardError
    ) throws {
        try fetch(
            file: file, from: mirrors, into: directory, expected: .sha256OfContent(expectedSHA256), timeout: timeout,
            maximumSize: maximumSize, log: log)
    }

    /// Downloads `file` from the first mirror that serves it matching `expected`, and writes it into
    /// `directory` (created if need be).
    public static func fetch(
        file: String, from mirrors: [String], into directory: String,
        expected: Checksum, timeout: TimeInterval = 60, maximumSize: Int = 256 << 20,
        log: @escaping @Sendable (String) -> Void = Download.standardError
    ) throws {
        let destination = (directory as NSString).appendingPathComponent(file)
        let bytes = try verifiedBytes(
            file: file, from: mirrors, expected: expected, timeout: timeout, maximumSize: maximumSize,
            describedAs: destination, log: log)
        // The folder is made only now, for a file that arrived whole and verified.
        try FileWriting.createFolder(directory)
        try FileWriting.write(bytes, to: destination)
    }

    /// The bytes of `file` from the first mirror that serves it matching `expected`, kept in
    /// memory (for an archive that is unpacked rather than kept). Errors name `describedAs`.
    public static func verifiedBytes(
        file: String, from mirrors: [String], expected: Checksum, timeout: TimeInterval = 60,
        maximumSize: Int = 256 << 20, describedAs destination: String,
        log: @escaping @Sendable (String) -> Void = Download.standardError
    ) throws -> [UInt8] {
        var failures: [String] = []
        for mirror in mirrors {
            let address = mirror.hasSuffix("/") ? mirror + file : mirror + "/" + file
            guard let url = URL(string: address) else {
                failures.append("\(address): not a valid URL")
                continue
            }
            do {
                let bytes = try get(url, timeout: timeout, label: file, maximumSize: maximumSize, log: log)
                if let mismatch = try expected.mismatch(bytes, maximumSize: maximumSize) {
                    failures.append("\(address): \(mismatch)")
                    log("\(file): wrong checksum from \(address), trying the next mirror")
                    continue
                }
                return bytes
            } catch let error as FileError {
                throw error
            } catch {
                let reason = Download.reason(error, host: url.host ?? address)
                failures.append(reason)
                // A network that cannot be reached fails every mirror the same way: the final
                // error says it once. Other failures (a 404, a bad checksum) are worth a line.
                if !(error is URLError) { log("\(file): \(address) failed (\(reason)), trying the next mirror") }
            }
        }
        // One line: the distinct reasons (offline, every mirror fails the same way: one reason).
        let reasons = failures.reduce(into: [String]()) { list, reason in
            if !list.contains(reason) { list.append(reason) }
        }
        throw DatasetError(path: destination, reason: "cannot download: \(reasons.joined(separator: "; "))")
    }

    /// A download error as a few words: "cannot resolve host example.org: are you offline?",
    /// never Foundation's `Error Domain=NSURLErrorDomain Code=-1003 ...` dump.
    static func reason(_ error: Error, host: String) -> String {
        if let error = error as? DatasetError { return error.reason }
        if let error = error as? DecompressionError { return "the download is not valid gzip: \(error.reason)" }
        guard let urlError = error as? URLError else { return "\(error)" }
        switch urlError.code {
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve host \(host): are you offline?"
        case .notConnectedToInternet: return "no network connection: are you offline?"
        case .cannotConnectToHost: return "cannot connect to \(host)"
        case .timedOut: return "\(host) did not answer in time"
        case .networkConnectionLost: return "the connection to \(host) was lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
            return "no secure connection to \(host)"
        default: return "network error \(urlError.code.rawValue) from \(host)"
        }
    }

    /// Prints to standard error.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Downloads one URL into memory, reporting progress about every 10%.
    static func get(
        _ url: URL, timeout: TimeInterval, label: String, maximumSize: Int,
        log: @escaping @Sendable (String) -> Void
    ) throws -> [UInt8] {
        let receiver = DownloadReceiver(label: label, maximumSize: maximumSize, log: log)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: url).resume()
        return try receiver.wait()
    }
}

/// Collects the bytes of one download as they arrive and wakes the waiting caller when it ends.
private final class DownloadReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let label: String
    private let maximumSize: Int
    private let log: @Sendable (String) -> Void
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var data: [UInt8] = []
    private var expected: Int64 = -1
    private var status = 0
    private var failure: Error?
    private var tooLarge: DatasetError?
    private var lastReportedTenth = -1

    init(label: String, maximumSize: Int, log: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.maximumSize = maximumSize
        self.log = log
    }

    func wait() throws -> [UInt8] {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        guard (200..<300).contains(status) else {
            throw DatasetError(path: label, reason: "server answered HTTP \(status)")
        }
        if expected >= 0 && Int64(data.count) != expected {
            throw DatasetError(path: label, reason: "received \(data.count) of \(expected) bytes (connection dropped)")
        }
        return data
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.lock()
        status = (response as? HTTPURLResponse)?.statusCode ?? 200
        expected = response.expectedContentLength
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive chunk: Data) {
        lock.lock()
        guard tooLarge == nil else {
            lock.unlock()
            return
        }
        guard data.count + chunk.count <= maximumSize else {
            // More than any file of this kind holds: stop here instead of filling the memory.
            tooLarge = DatasetError(path: label, reason: "the server sent more than \(maximumSize) bytes")
            data = []
            lock.unlock()
            dataTask.cancel()
            return
        }
        data.append(contentsOf: chunk)
        let received = data.count
        var line: String?
        if expected > 0 {
            let tenth = Int(Int64(received) * 10 / expected)
            if tenth != lastReportedTenth {
                lastReportedTenth = tenth
                line = "downloading \(label): \(received / 1024) / \(expected / 1024) KiB (\(tenth * 10)%)"
            }
        }
        lock.unlock()
        if let line { log(line) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        failure = tooLarge ?? error
        lock.unlock()
        done.signal()
    }
}
