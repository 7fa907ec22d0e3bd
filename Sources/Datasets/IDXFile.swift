import Compression
import Files
import Foundation

/// A file in the IDX format, in which MNIST is distributed: a magic number saying the element type
/// and the number of dimensions, the dimensions as big-endian 32-bit integers, then the elements.
///
///     offset 0: 0x00 0x00 <type> <number of dimensions>
///     offset 4: dimension 0 (UInt32, big-endian), dimension 1, ...
///     then:     the elements, row-major, big-endian for multi-byte types
///
/// MNIST's image files are type 0x08 (unsigned byte) with dimensions [N, 28, 28]; its label files
/// are 0x08 with [N]. The file may be gzipped (it is read through `Gzip` when it starts with the
/// gzip magic). Every inconsistency (wrong magic, a size that does not match the dimensions)
/// throws a `DatasetError` naming the file.
///
/// ```swift
/// let labels = try IDXFile(contentsOf: "data/mnist/t10k-labels-idx1-ubyte.gz")
/// labels.dimensions   // [10000]
/// ```
public struct IDXFile: Sendable {
    /// Element types of the format.
    public enum ElementType: UInt8, Sendable {
        case uint8 = 0x08
        case int8 = 0x09
        case int16 = 0x0B
        case int32 = 0x0C
        case float32 = 0x0D
        case float64 = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }
    }

    public let elementType: ElementType
    public let dimensions: [Int]
    /// The element bytes as stored (big-endian for multi-byte types).
    public let payload: [UInt8]

    /// Number of elements: the product of the dimensions.
    public var count: Int { dimensions.reduce(1, *) }

    /// The largest IDX file read unless told otherwise, compressed or not: 64 MiB (MNIST's largest
    /// file is 47 MB).
    public static let defaultMaximumSize = 64 << 20

    /// Reads and validates the file at `path`, gunzipping it when it is gzipped; a file (or its
    /// decompressed content) larger than `maximumSize` is refused before it is read (or inflated).
    public init(contentsOf path: String, maximumSize: Int = IDXFile.defaultMaximumSize) throws {
        try self.init(bytes: try readFile(path, maximumSize: maximumSize, what: "an IDX file here"), path: path)
    }

    /// Parses IDX bytes already in memory; `path` names them in errors.
    public init(bytes: [UInt8], path: String) throws {
        func fail(_ reason: String) -> DatasetError { DatasetError(path: path, reason: reason) }
        guard bytes.count >= 4 else {
            throw fail("only \(bytes.count) bytes, too short for an IDX header (truncated)")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw fail("not an IDX file: magic number starts \(bytes[0]) \(bytes[1]), expected 0 0")
        }
        guard let type = ElementType(rawValue: bytes[2]) else {
            throw fail("unknown IDX element type 0x\(String(bytes[2], radix: 16))")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw fail("IDX header declares 0 dimensions") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw fail("header declares \(rank) dimensions but the file ends after \(bytes.count) bytes (truncated)")
        }
        var dimensions: [Int] = []
        var elementCount = 1
        for index in 0..<rank {
            let offset = 4 + 4 * index
            let size =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
            dimensions.append(size)
            // Checked arithmetic: a hostile header must not overflow into a small number.
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow, product <= bytes.count else {
                throw fail(
                    "dimensions \(dimensions.map(String.init).joined(separator: "x"))... need more bytes than the file's \(bytes.count) (truncated or corrupt header)"
                )
            }
            elementCount = product
        }
        let expected = headerSize + elementCount * type.size
        guard bytes.count >= expected else {
            throw fail(
                "dimensions \(dimensions.map(String.init).joined(separator: "x")) need \(expected) bytes, the file has \(bytes.count) (truncated)"
            )
        }
        guard bytes.count == expected else {
            throw fail(
                "dimensions \(dimensions.map(String.init).joined(separator: "x")) need \(expected) bytes, the file has \(bytes.count - expected) more (corrupt)"
            )
        }
        self.elementType = type
        self.dimensions = dimensions
        self.payload = Array(bytes[headerSize...])
    }

    /// The elements as numbers, converted from big-endian to `Double`.
    public func values() -> [Double] {
        let size = elementType.size
        return (0..<count).map { index in
            var bits: UInt64 = 0
            for byte in payload[index * size..<(index + 1) * size] { bits = bits << 8 | UInt64(byte) }
            switch elementType {
            case .uint8: return Double(bits)
            case .int8: return Double(Int8(truncatingIfNeeded: bits))
            case .int16: return Double(Int16(truncatingIfNeeded: bits))
            case .int32: return Double(Int32(truncatingIfNeeded: bits))
            case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case .float64: return Double(bitPattern: bits)
            }
        }
    }
}

/// The bytes of the file at `path`, gunzipped when they start with the gzip magic, at most
/// `maximumSize` of them either way: the file is refused before it is read when it is larger, and
/// its decompression stops (and is refused) as soon as the output would be. Errors name the file.
func readFile(_ path: String, maximumSize: Int, what: String) throws -> [UInt8] {
    let bytes = try FileReading.bytes(of: path, maximumSize: maximumSize, what: what)
    guard Gzip.isGzip(bytes) else { return bytes }
    do {
        return try Gzip.decompress(bytes, maximumOutputSize: maximumSize)
    } catch let error as DecompressionError {
        throw DatasetError(path: path, reason: "\(error.reason) (\(what) holds at most \(maximumSize) bytes)")
    }
}
