/// A DEFLATE decoder (RFC 1951), the compression inside gzip, zip and PNG, in pure Swift.
///
/// A DEFLATE stream is a sequence of blocks, each
/// - *stored*: raw bytes with their length;
/// - *fixed Huffman*: symbols coded with a code table every decoder knows;
/// - *dynamic Huffman*: symbols coded with tables sent at the start of the block.
///
/// A symbol is a literal byte (0-255), the end of the block (256), or a length (257-285) that,
/// with a following distance symbol, says "copy `length` bytes from `distance` bytes back": that
/// back-reference is how repeated data shrinks.
///
/// Every malformed input is reported as a `DecompressionError`, never a crash: codes that do not
/// form a valid prefix code, distances before the start of the output, a stream that ends early.
/// The output is capped at `maximumOutputSize` so a tiny hostile file cannot ask for terabytes
/// (a "decompression bomb").
///
/// ```swift
/// let bytes = try Inflate.decompress(deflateData)
/// ```
public enum Inflate {
    /// The default cap on the decompressed size: 1 GiB, ten times the largest file the project
    /// reads (the 47 MB of MNIST training images, or 180 MB of CIFAR-10).
    public static let defaultMaximumOutputSize = 1 << 30

    /// Decompresses a raw DEFLATE stream that fills `input`.
    public static func decompress(_ input: [UInt8], maximumOutputSize: Int = defaultMaximumOutputSize) throws -> [UInt8]
    {
        var decoder = InflateDecoder(input: input, start: 0, maximumOutputSize: maximumOutputSize)
        try decoder.run()
        return decoder.output
    }
}

/// The state of one decompression: the input with a bit cursor, and the output so far.
struct InflateDecoder {
    let input: [UInt8]
    let maximumOutputSize: Int
    private(set) var output: [UInt8] = []

    /// Index of the next input byte not yet moved into `bitBuffer`.
    private var position: Int
    /// Up to 64 bits read ahead, least significant bit first (DEFLATE's bit order).
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    /// Bits taken from past the end of the input (read as zeros); any at all means the stream was
    /// truncated.
    private var overrun = 0

    init(input: [UInt8], start: Int, maximumOutputSize: Int) {
        self.input = input
        self.position = start
        self.maximumOutputSize = maximumOutputSize
    }

    /// The index just past the last byte the stream used (after the final block, rounded up to a
    /// whole byte): where a gzip trailer starts.
    var endPosition: Int { position - bitCount / 8 }

    /// Decodes blocks until the one marked final.
    mutating func run() throws {
        var isFinal = false
        while !isFinal {
            isFinal = try bits(1) == 1
            switch try bits(2) {
            case 0: try storedBlock()
            case 1: try huffmanBlock(literals: Self.fixedLiteralTable, distances: Self.fixedDistanceTable)
            case 2:
                let tables = try dynamicTables()
                try huffmanBlock(literals: tables.literals, distances: tables.distances)
            default: throw DecompressionError("invalid DEFLATE block type 3")
            }
        }
    }

    // MARK: Bits

    /// Keeps at least 57 bits in the buffer while input lasts.
    @inline(__always)
    private mutating func refill() {
        while bitCount <= 56 {
            if position < input.count {
                bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
                position += 1
            } else {
                // Past the end: zeros, and a note that they were not real. `endPosition` still
                // subtracts them, so they are counted as bytes only while unread.
                bitCount += 8
                overrun += 8
                position += 1
                continue
            }
            bitCount += 8
        }
    }

    /// The next `count` bits (at most 32) as a number, first bit least significant.
    @inline(__always)
    private mutating func bits(_ count: Int) throws -> Int {
        if bitCount < count { refill() }
        let value = Int(bitBuffer & ((1 << UInt64(count)) - 1))
        try consume(count)
        return value
    }

    @inline(__always)
    private mutating func consume(_ count: Int) throws {
        bitBuffer >>= UInt64(count)
        bitCount -= count
        // Zeros past the end that are still in the buffer are harmless; consuming them is not.
        if overrun > bitCount {
            throw DecompressionError("the compressed data ends in the middle of a block (truncated)")
        }
    }

    // MARK: Blocks

    /// A stored block: skip to a byte boundary, then LEN, its complement NLEN, and LEN raw bytes.
    private mutating func storedBlock() throws {
        _ = try bits(bitCount % 8)
        // The buffer now holds whole bytes read ahead: give them back and read the block's
        // header and bytes straight from the input.
        position -= bitCount / 8
        bitBuffer = 0
        bitCount = 0
        overrun = 0
        guard position + 4 <= input.count else {
            throw DecompressionError("stored block header runs past the end of the data (truncated)")
        }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        position += 4
        guard length == (~complement & 0xFFFF) else {
            throw DecompressionError("stored block length \(length) does not match its complement \(complement)")
        }
        guard position + length <= input.count else {
            throw DecompressionError("stored block of \(length) bytes runs past the end of the data (truncated)")
        }
        try reserve(length)
        output.append(contentsOf: input[position..<position + length])
        position += length
    }

    /// Symbols until end-of-block, with the given code tables.
    private mutating func huffmanBlock(literals: HuffmanTable, distances: HuffmanTable) throws {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                try reserve(1)
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let lengthIndex = symbol - 257
                guard lengthIndex < 29 else { throw DecompressionError("invalid length symbol \(symbol)") }
                let length = Self.lengthBase[lengthIndex] + (try bits(Self.lengthExtraBits[lengthIndex]))
                let distanceSymbol = try decode(distances)
                guard distanceSymbol < 30 else { throw DecompressionError("invalid distance symbol \(distanceSymbol)") }
                let distance = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtraBits[distanceSymbol]))
                guard distance <= output.count else {
                    throw DecompressionError(
                        "a back-reference reaches \(distance) bytes back, before the start of the data (\(output.count) bytes so far)"
                    )
                }
                try reserve(length)
                // Byte by byte on purpose: the source may overlap what is being written
                // (distance 1, length 10 repeats one byte ten times).
                let start = output.count - distance
                for offset in 0..<length {
                    output.append(output[start + offset])
                }
            }
        }
    }

    private mutating func reserve(_ count: Int) throws {
        guard output.count + count <= maximumOutputSize else {
            throw DecompressionError("decompressed data exceeds the limit of \(maximumOutputSize) bytes")
        }
    }

    /// Reads the code-length code, then the literal/length and distance code lengths it encodes.
    private mutating func dynamicTables() throws -> (literals: HuffmanTable, distances: HuffmanTable) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw DecompressionError(
                "dynamic block declares \(literalCount) literal/length and \(distanceCount) distance codes (at most 286 and 30)"
            )
        }
        // The code lengths of the code-length alphabet come in this fixed, permuted order.
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengthLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeLengthCount {
            codeLengthLengths[order[index]] = try bits(3)
        }
        let codeLengthTable = try HuffmanTable(lengths: codeLengthLengths, name: "code-length")

        var lengths: [Int] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(codeLengthTable)
            switch symbol {
            case 0...15:
                lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else {
                    throw DecompressionError("code length 'repeat previous' with no previous length")
                }
                lengths.append(contentsOf: repeatElement(previous, count: 3 + (try bits(2))))
            case 17:
                lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
            default:
                lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
            }
        }
        guard lengths.count == literalCount + distanceCount else {
            throw DecompressionError("code length repeats run past the declared \(literalCount + distanceCount) codes")
        }
        guard lengths[256] > 0 else {
            throw DecompressionError("dynamic block has no end-of-block code")
        }
        return (
            try HuffmanTable(lengths: Array(lengths[..<literalCount]), name: "literal/length"),
            try HuffmanTable(lengths: Array(lengths[literalCount...]), name: "distance")
        )
    }

    /// The next symbol coded with `table`.
    @inline(__always)
    private mutating func decode(_ table: HuffmanTable) throws -> Int {
        if bitCount < table.maximumLength { refill() }
        let entry = table.entries[Int(bitBuffer & UInt64(table.mask))]
        let length = Int(entry & 0xF)
        guard length > 0 else {
            throw DecompressionError("a bit pattern matches no \(table.name) code")
        }
        try consume(length)
        return Int(entry >> 4)
    }

    // MARK: Constants of RFC 1951, section 3.2.5

    static let lengthBase = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
        35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let lengthExtraBits = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
        3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
        8193, 12289, 16385, 24577,
    ]
    static let distanceExtraBits = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
        7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    /// The fixed code of section 3.2.6: literals 0-143 in 8 bits, 144-255 in 9, 256-279 in 7,
    /// 280-287 in 8; all 30 distances in 5 bits.
    static let fixedLiteralTable: HuffmanTable = {
        let lengths = (0..<288).map { symbol in
            symbol < 144 ? 8 : symbol < 256 ? 9 : symbol < 280 ? 7 : 8
        }
        return try! HuffmanTable(lengths: lengths, name: "fixed literal/length")
    }()

    static let fixedDistanceTable = try! HuffmanTable(lengths: [Int](repeating: 5, count: 30), name: "fixed distance")
}

/// A canonical Huffman code as a lookup table: the next `maximumLength` bits of input index an
/// entry holding the symbol (high bits) and its code length (low 4 bits).
///
/// DEFLATE defines a code by its code lengths alone: codes of each length are consecutive
/// numbers, shorter codes first, and within one length in symbol order. A code of length L owns
/// every table entry whose low L bits are its bit pattern, 2^(maximumLength - L) of them.
struct HuffmanTable {
    let entries: [UInt32]
    let maximumLength: Int
    let mask: Int
    let name: String

    init(lengths: [Int], name: String) throws {
        self.name = name
        let maximumLength = Swift.max(1, lengths.max() ?? 0)
        guard maximumLength <= 15 else {
            throw DecompressionError("\(name) code length \(maximumLength) exceeds 15")
        }
        var countPerLength = [Int](repeating: 0, count: 16)
        for length in lengths where length > 0 { countPerLength[length] += 1 }

        // A prefix code must not promise more codes than bit patterns exist (over-subscribed).
        // An incomplete code leaves some patterns unused: allowed (zlib allows it for a single
        // distance code); an unused pattern is an error only if the data actually uses it.
        var available = 1
        for length in 1...15 {
            available = available * 2 - countPerLength[length]
            guard available >= 0 else {
                throw DecompressionError("\(name) code lengths are over-subscribed (not a valid prefix code)")
            }
        }

        // First code of each length, per RFC 1951 section 3.2.2.
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1...15 {
            nextCode[length] = code
            code = (code + countPerLength[length]) << 1
        }

        var entries = [UInt32](repeating: 0, count: 1 << maximumLength)
        for (symbol, length) in lengths.enumerated() where length > 0 {
            let codeValue = nextCode[length]
            nextCode[length] += 1
            // Huffman codes are sent most significant bit first, while the table is indexed by
            // bits in arrival order: reverse the code.
            var reversed = 0
            for bit in 0..<length where codeValue & (1 << bit) != 0 {
                reversed |= 1 << (length - 1 - bit)
            }
            let entry = UInt32(symbol << 4 | length)
            var index = reversed
            while index < entries.count {
                entries[index] = entry
                index += 1 << length
            }
        }
        self.entries = entries
        self.maximumLength = maximumLength
        self.mask = (1 << maximumLength) - 1
    }
}
