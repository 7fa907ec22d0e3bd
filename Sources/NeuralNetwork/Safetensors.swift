import Autograd
import Foundation

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
/// refused. Tensors are written as F32; F32, F64, F16 and BF16 files are read (converted to Float).
///
/// ```swift
/// try Safetensors.save(model.stateDict(), to: "mnist.safetensors")
/// try model.loadStateDict(Safetensors.load(contentsOf: "mnist.safetensors").tensors)
/// ```
public enum Safetensors {
    /// The largest header accepted: 100 MB, the limit of the reference implementation.
    public static let maximumHeaderSize = 100_000_000

    /// What was read from a file.
    public struct File {
        public let tensors: StateDict
        public let metadata: [String: String]
    }

    /// Writes `tensors` to `path` atomically: into a temporary file beside it, then renamed, so a
    /// crash never leaves a half-written checkpoint where a good one was.
    public static func save(_ tensors: StateDict, metadata: [String: String] = [:], to path: String) throws {
        let bytes = try encode(tensors, metadata: metadata)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SafetensorsError(path: path, reason: "could not be written: \(error.localizedDescription)")
        }
    }

    /// Reads and validates the file at `path`.
    public static func load(contentsOf path: String) throws -> File {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafetensorsError(
                path: path,
                reason: FileManager.default.fileExists(atPath: path)
                    ? "could not be read" : "file not found")
        }
        return try decode([UInt8](data), path: path)
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
                throw SafetensorsError(path: key, reason: "duplicate or reserved tensor name")
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
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]), options: [])
        } catch {
            throw fail("header is not valid JSON")
        }
        guard let header = parsed as? [String: Any] else { throw fail("header is not a JSON object") }

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let dictionary = raw as? [String: Any], dictionary.values.allSatisfy({ $0 is String }) else {
                throw fail("__metadata__ must map strings to strings")
            }
            metadata = dictionary.mapValues { $0 as! String }
        }

        let dataSize = bytes.count - headerEnd
        var ranges: [(key: String, range: Range<Int>, dtype: String, shape: [Int])] = []
        for (key, value) in header where key != "__metadata__" {
            guard let entry = value as? [String: Any] else { throw fail("entry '\(key)' is not a JSON object") }
            guard let dtype = entry["dtype"] as? String else { throw fail("entry '\(key)' has no dtype") }
            guard let elementSize = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2][dtype] else {
                throw fail("tensor '\(key)' has dtype \(dtype); only F32, F64, F16 and BF16 can be loaded")
            }
            guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor '\(key)' has no valid shape")
            }
            guard let offsets = integers(entry["data_offsets"]), offsets.count == 2,
                offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize
            else {
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
            ranges.append((key, offsets[0]..<offsets[1], dtype, shape))
        }
        // The tensors must tile the data exactly: no overlaps, no holes.
        ranges.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var expectedStart = 0
        for entry in ranges {
            guard entry.range.lowerBound == expectedStart else {
                throw fail(
                    "tensor '\(entry.key)' starts at byte \(entry.range.lowerBound), expected \(expectedStart) (overlapping or gapped data)"
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
        default: return (0..<count).map { Float(bitPattern: UInt32(word(start + 4 * $0, 4))) }
        }
    }

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

    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for element in array {
            guard let number = element as? NSNumber, number.doubleValue == number.doubleValue.rounded(),
                Swift.abs(number.doubleValue) < 9e15
            else { return nil }
            result.append(number.intValue)
        }
        return result
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
    /// Saves the state dict as safetensors (atomically).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try Safetensors.save(stateDict(), metadata: metadata, to: path)
    }

    /// Loads a safetensors state dict; on any error the model is unchanged.
    public func load(from path: String) throws {
        try loadStateDict(Safetensors.load(contentsOf: path).tensors)
    }
}
