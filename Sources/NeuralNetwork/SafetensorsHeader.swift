import Files

/// The JSON header of a safetensors file, read by a parser of its own.
///
/// The header is a flat JSON object: `"__metadata__"` maps strings to strings, and every other key
/// names a tensor, `{"dtype": "F32", "shape": [10, 784], "data_offsets": [0, 31360]}`. This reads
/// exactly that much JSON (objects, arrays, strings, whole numbers) straight into Swift values.
/// Foundation's `JSONSerialization` builds a tree of objects instead, about 70 bytes of memory for
/// every byte of a header of many small entries: a hostile 99 MB header took 6.7 GB.
struct SafetensorsHeader {
    struct Entry {
        let name: String
        let dtype: String
        let shape: [Int]
        let offsets: [Int]
    }

    var entries: [Entry] = []
    var metadata: [String: String] = [:]

    /// Parses `bytes` (the header, without its 8-byte length); the error is the reason only.
    init(_ bytes: ArraySlice<UInt8>) throws(HeaderError) {
        var parser = Parser(bytes: bytes)
        try parser.expect(UInt8(ascii: "{"))
        var names = Set<String>()
        if !parser.take(UInt8(ascii: "}")) {
            repeat {
                let name = try parser.string()
                try parser.expect(UInt8(ascii: ":"))
                guard names.insert(name).inserted else {
                    throw HeaderError("the name '\(printable(name))' appears twice in the header")
                }
                if name == "__metadata__" {
                    metadata = try parser.stringMap()
                } else {
                    entries.append(try parser.tensorEntry(name: name))
                }
            } while parser.take(UInt8(ascii: ","))
            try parser.expect(UInt8(ascii: "}"))
        }
        parser.skipWhitespace()
        guard parser.position == bytes.endIndex else { throw HeaderError("text after the header's JSON object") }
    }

    struct HeaderError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// A cursor over the header's bytes.
    struct Parser {
        let bytes: ArraySlice<UInt8>
        var position: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            position = bytes.startIndex
        }

        mutating func skipWhitespace() {
            while position < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        /// Consumes `byte` (after whitespace) if it is next.
        mutating func take(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard position < bytes.endIndex, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        mutating func expect(_ byte: UInt8) throws(HeaderError) {
            guard take(byte) else {
                let offset = position - bytes.startIndex
                throw HeaderError(
                    "the header is not valid JSON: expected '\(Character(Unicode.Scalar(byte)))' at byte \(offset)")
            }
        }

        /// A JSON string, its escapes decoded.
        mutating func string() throws(HeaderError) -> String {
            try expect(UInt8(ascii: "\""))
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() {
                scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                run.removeAll(keepingCapacity: true)
            }
            while position < bytes.endIndex {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush()
                    scalars.append(try escape())
                case 0..<0x20:
                    throw HeaderError("the header is not valid JSON: a control character inside a string")
                default:
                    run.append(byte)
                }
            }
            throw HeaderError("the header is not valid JSON: a string is not closed")
        }

        /// The character after a backslash.
        mutating func escape() throws(HeaderError) -> Unicode.Scalar {
            guard position < bytes.endIndex else {
                throw HeaderError("the header is not valid JSON: a string is not closed")
            }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{8}"
            case UInt8(ascii: "f"): return "\u{C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                var value = try hexQuad()
                // A UTF-16 surrogate pair: \uD83D\uDE00.
                if (0xD800..<0xDC00).contains(value), position + 1 < bytes.endIndex,
                    bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                {
                    position += 2
                    let low = try hexQuad()
                    guard (0xDC00..<0xE000).contains(low) else { return "\u{FFFD}" }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                }
                return Unicode.Scalar(value) ?? "\u{FFFD}"
            default:
                throw HeaderError("the header is not valid JSON: unknown escape in a string")
            }
        }

        mutating func hexQuad() throws(HeaderError) -> UInt32 {
            guard position + 4 <= bytes.endIndex else {
                throw HeaderError("the header is not valid JSON: a cut \\u escape")
            }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[position])).hexDigitValue else {
                    throw HeaderError("the header is not valid JSON: a bad \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        /// A whole number, at most 15 digits (larger is no size or offset of a real file).
        mutating func integer() throws(HeaderError) -> Int {
            skipWhitespace()
            let negative = position < bytes.endIndex && bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            var value = 0
            var digits = 0
            while position < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                digits += 1
                position += 1
                guard digits <= 15 else { throw HeaderError("a number in the header has more than 15 digits") }
            }
            guard digits > 0 else { throw HeaderError("the header is not valid JSON: expected a whole number") }
            if position < bytes.endIndex,
                [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position])
            {
                throw HeaderError("a size or offset in the header is not a whole number")
            }
            return negative ? -value : value
        }

        mutating func integers() throws(HeaderError) -> [Int] {
            try expect(UInt8(ascii: "["))
            var values: [Int] = []
            if take(UInt8(ascii: "]")) { return values }
            repeat {
                values.append(try integer())
                guard values.count <= 64 else { throw HeaderError("a shape in the header has more than 64 dimensions") }
            } while take(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
            return values
        }

        mutating func stringMap() throws(HeaderError) -> [String: String] {
            try expect(UInt8(ascii: "{"))
            var map: [String: String] = [:]
            if take(UInt8(ascii: "}")) { return map }
            repeat {
                let key = try string()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                guard position < bytes.endIndex, bytes[position] == UInt8(ascii: "\"") else {
                    throw HeaderError("__metadata__ must map strings to strings")
                }
                map[key] = try string()
            } while take(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
            return map
        }

        mutating func tensorEntry(name: String) throws(HeaderError) -> Entry {
            var dtype: String?, shape: [Int]?, offsets: [Int]?
            guard take(UInt8(ascii: "{")) else {
                throw HeaderError("the entry of tensor '\(printable(name))' is not a JSON object")
            }
            if !take(UInt8(ascii: "}")) {
                repeat {
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    switch key {
                    case "dtype": dtype = try string()
                    case "shape": shape = try integers()
                    case "data_offsets": offsets = try integers()
                    default:
                        throw HeaderError("tensor '\(printable(name))' has an unknown field '\(printable(key))'")
                    }
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"))
            }
            guard let dtype else { throw HeaderError("tensor '\(printable(name))' has no dtype") }
            guard let shape else { throw HeaderError("tensor '\(printable(name))' has no shape") }
            guard let offsets else { throw HeaderError("tensor '\(printable(name))' has no data_offsets") }
            return Entry(name: name, dtype: dtype, shape: shape, offsets: offsets)
        }
    }
}
