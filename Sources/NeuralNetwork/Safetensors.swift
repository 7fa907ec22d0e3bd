import Autograd
import Files

/// Reading and writing the safetensors format, the simple, safe way to store tensors that
/// PyTorch, JAX and Hugging Face share.
///
///     8 bytes        N, the header length, unsigned little-endian
///     N bytes        a JSON object: for each tensor name,
///                    {"dtype": "F32", "shape": [10, 784], "data_offsets": [begin, end]},
///                    and optionally "__metadata__": {string: string}
///     the rest       the tensors' raw little-endian bytes; offsets count from here
///
/// Nothing in a safetensors file is executable (unlike a pickled PyTorch checkpoint), and every
/// size is checked against the file before anything is allocated, so a hostile file can only be
/// refused: the file's size against the most its reader expects (`maximumFileSize`), the header's
/// length against the file and `maximumHeaderSize`, every shape and offset against the data.
/// Tensors are written as F32; F32, F64, F16, BF16 and integer and bool tensors are read (converted
/// to Float; integers are exact up to 2^24, so `num_batches_tracked` survives). Names
/// and dtypes from a file are escaped before they reach a message (`printable`).
///
/// ```swift
/// try Safetensors.save(model.stateDict(), to: "mnist.safetensors")
/// try model.loadStateDict(Safetensors.load(contentsOf: "mnist.safetensors").tensors)
/// ```
public enum Safetensors {
    /// The largest header accepted: 16 MiB. (The reference implementation allows 100 MB; real
    /// headers are kilobytes: a state dict of 10,000 tensors needs about 1 MB.)
    public static let maximumHeaderSize = 16 << 20

    /// The largest file `load(contentsOf:)` reads unless told otherwise: 1 GiB.
    public static let defaultMaximumFileSize = 1 << 30

    /// What was read from a file.
    public struct File {
        public let tensors: StateDict
        public let metadata: [String: String]
    }

    /// Writes `tensors` to `path` atomically and durably (`FileWriting`): a crash or a power cut
    /// never leaves a half-written file where a good one was, and a path that is not a regular file
    /// (a directory, a device, a link) is refused, not replaced.
    public static func save(_ tensors: StateDict, metadata: [String: String] = [:], to path: String) throws {
        try FileWriting.write(encode(tensors, metadata: metadata), to: path)
    }

    /// Reads and validates the file at `path`, refusing a file larger than `maximumFileSize` before
    /// reading it.
    public static func load(contentsOf path: String, maximumFileSize: Int = defaultMaximumFileSize) throws -> File {
        try decode(FileReading.bytes(of: path, maximumSize: maximumFileSize, what: "this safetensors file"), path: path)
    }

    /// The bytes of a safetensors file holding `tensors` as F32.
    public static func encode(_ tensors: StateDict, metadata: [String: String] = [:]) throws -> [UInt8] {
        var seen = Set<String>()
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (key, tensor) in tensors {
            guard key != "__metadata__", seen.insert(key).inserted else {
                throw SafetensorsError(path: printable(key), reason: "duplicate or reserved tensor name")
            }
            let size = tensor.count * 4
            fields.append(
                "\(jsonString(key)):{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + size)]}"
            )
            offset += size
        }
        var header = Array("{\(fields.joined(separator: ","))}".utf8)
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + header.count + offset)
        let headerLength = UInt64(header.count)
        for shift in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: headerLength >> UInt64(8 * shift))) }
        bytes += header
        for (_, tensor) in tensors {
            for value in tensor.data {
                let bits = value.bitPattern.littleEndian
                bytes += [
                    UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                    UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24),
                ]
            }
        }
        return bytes
    }

    /// Parses and validates safetensors bytes; `path` names them in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> File {
        func fail(_ reason: String) -> SafetensorsError { SafetensorsError(path: path, reason: reason) }
        guard bytes.count >= 8 else {
            throw fail("only \(bytes.count) bytes, too short for the 8-byte header length (truncated)")
        }
        var headerLength: UInt64 = 0
        for index in 0..<8 { headerLength |= UInt64(bytes[index]) << UInt64(8 * index) }
        guard headerLength <= UInt64(maximumHeaderSize) else {
            throw fail(
                "header length \(headerLength) exceeds the \(maximumHeaderSize)-byte limit (corrupt or not a safetensors file)"
            )
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail(
                "header length \(headerLength) runs past the end of the \(bytes.count)-byte file (truncated or corrupt)"
            )
        }
        let headerEnd = 8 + Int(headerLength)
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader(bytes[8..<headerEnd])
        } catch {
            throw fail(error.reason)
        }
        let metadata = header.metadata

        let dataSize = bytes.count - headerEnd
        var ranges: [(key: String, range: Range<Int>, dtype: String, shape: [Int])] = []
        for entry in header.entries {
            let key = printable(entry.name)
            let dtype = entry.dtype
            guard let elementSize = Self.elementSizes[dtype] else {
                throw fail(
                    "tensor '\(key)' has dtype \(printable(dtype)); F32, F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL are read"
                )
            }
            let shape = entry.shape
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor '\(key)' has a negative size in its shape \(shape)")
            }
            let offsets = entry.offsets
            guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
                throw fail(
                    "tensor '\(key)' has data_offsets outside the \(dataSize) bytes of data (truncated or corrupt)")
            }
            var elements = 1
            for size in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow, product <= dataSize else {
                    throw fail("tensor '\(key)' has shape \(shape), larger than the file")
                }
                elements = product
            }
            guard offsets[1] - offsets[0] == elements * elementSize else {
                throw fail(
                    "tensor '\(key)' of shape \(shape) and dtype \(dtype) needs \(elements * elementSize) bytes, its offsets span \(offsets[1] - offsets[0])"
                )
            }
            ranges.append((entry.name, offsets[0]..<offsets[1], dtype, shape))
        }
        // The tensors must tile the data exactly: no overlaps, no holes.
        ranges.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var expectedStart = 0
        for entry in ranges {
            guard entry.range.lowerBound == expectedStart else {
                throw fail(
                    "tensor '\(printable(entry.key))' starts at byte \(entry.range.lowerBound), expected \(expectedStart) (overlapping or gapped data)"
                )
            }
            expectedStart = entry.range.upperBound
        }
        guard expectedStart == dataSize else {
            throw fail("the tensors cover \(expectedStart) of the \(dataSize) data bytes")
        }

        // Files keep no order of their own beyond their offsets: return tensors in data order,
        // which is the order they were written in.
        let tensors = ranges.map { entry -> (String, Tensor) in
            let start = headerEnd + entry.range.lowerBound
            let values = convert(bytes, from: start, count: entry.shape.reduce(1, *), dtype: entry.dtype)
            return (entry.key, Tensor(shape: entry.shape, data: values))
        }
        return File(tensors: StateDict(tensors), metadata: metadata)
    }

    /// Little-endian values of `dtype` starting at `start`, as Float.
    private static func convert(_ bytes: [UInt8], from start: Int, count: Int, dtype: String) -> [Float] {
        func word(_ offset: Int, _ size: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<size { value |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
            return value
        }
        switch dtype {
        case "F64": return (0..<count).map { Float(Double(bitPattern: word(start + 8 * $0, 8))) }
        case "F16": return (0..<count).map { halfToFloat(UInt16(word(start + 2 * $0, 2))) }
        case "BF16": return (0..<count).map { Float(bitPattern: UInt32(word(start + 2 * $0, 2)) << 16) }
        case "I64": return (0..<count).map { Float(Int64(bitPattern: word(start + 8 * $0, 8))) }
        case "I32": return (0..<count).map { Float(Int32(truncatingIfNeeded: word(start + 4 * $0, 4))) }
        case "I16": return (0..<count).map { Float(Int16(truncatingIfNeeded: word(start + 2 * $0, 2))) }
        case "I8": return (0..<count).map { Float(Int8(truncatingIfNeeded: word(start + $0, 1))) }
        case "U8", "BOOL": return (0..<count).map { Float(word(start + $0, 1)) }
        default: return (0..<count).map { Float(bitPattern: UInt32(word(start + 4 * $0, 4))) }
        }
    }

    /// Bytes per element of each dtype read. Integer and bool tensors (BatchNorm's
    /// `num_batches_tracked`, masks) are kept as Float values, exact up to 2^24.
    static let elementSizes = [
        "F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]

    /// IEEE half precision to Float, by hand (`Float16` is missing on Intel Macs).
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10) & 0x1F
        let fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24  // subnormal
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// A JSON string literal.
    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

/// A safetensors file that cannot be read or written, with its path and the reason.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

extension Module {
    /// Saves the state dict as safetensors (atomically and durably).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try Safetensors.save(stateDict(), metadata: metadata, to: path)
    }

    /// Loads weights from a safetensors file, or from a file PyTorch's `torch.save(state_dict)`
    /// wrote (`.pth`, `.pt`: see `PyTorchFile`), told apart by their first bytes; on any error the
    /// model is unchanged.
    ///
    /// The file may be no larger than this model's parameters stored as F64 plus the largest
    /// header, so a huge or endless file is refused before it is read. A file whose keys do not
    /// fit is refused with the model its metadata names (`"model"`, as `mnist train --save`
    /// writes it); a file holding NaN or infinite values is refused too, since such weights can
    /// only produce NaN.
    public func load(from path: String) throws {
        let bytes = try FileReading.bytes(
            of: path, maximumSize: 8 + Safetensors.maximumHeaderSize + 8 * parameterCount,
            what: "a weights file for this \(String(describing: type(of: self)))")
        let tensors: StateDict
        var metadata: [String: String] = [:]
        if PyTorchFile.isZipArchive(bytes) {
            tensors = try PyTorchFile.decode(bytes, path: path, maximumValues: parameterCount + (1 << 20))
        } else {
            let file = try Safetensors.decode(bytes, path: path)
            (tensors, metadata) = (file.tensors, file.metadata)
        }
        do {
            try loadStateDict(tensors, checkingFinite: true)
        } catch let error as StateDictError {
            let origin = metadata["model"].map { "holds weights of '\(printable($0))' (its metadata), " } ?? ""
            throw SafetensorsError(
                path: path, reason: "\(origin)not of this \(String(describing: type(of: self))): \(error)")
        }
    }
}
