/// A DEFLATE compressor (RFC 1951): what gzip, zlib and PNG files are written with.
///
/// Two levels:
/// - `stored`: the bytes as they are, in blocks of up to 65,535 bytes with their lengths; always
///   valid, never smaller.
/// - `fast`: LZ77 with the fixed Huffman code. Each position looks up the last place the same
///   three bytes occurred (a hash table of positions); if it is within 32 KB and matches, the
///   longest match there (up to 258 bytes) is written as a length and a distance, else the byte as
///   a literal. Images with runs of background compress several times over.
///
/// ```swift
/// let compressed = Deflate.compress(bytes)
/// try Inflate.decompress(compressed) == bytes     // true
/// ```
public enum Deflate {
    public enum Level: Sendable {
        case stored
        case fast
    }

    public static func compress(_ bytes: [UInt8], level: Level = .fast) -> [UInt8] {
        switch level {
        case .stored: storedBlocks(bytes)
        case .fast: fixedHuffman(bytes)
        }
    }

    private static func storedBlocks(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var start = 0
        repeat {
            let length = Swift.min(65_535, bytes.count - start)
            let isLast = start + length == bytes.count
            output.append(isLast ? 1 : 0)  // BFINAL, BTYPE 00, padding to the byte boundary
            output += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            output += bytes[start..<start + length]
            start += length
        } while start < bytes.count
        return output
    }

    private static func fixedHuffman(_ bytes: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        writer.write(1, bits: 1)  // BFINAL
        writer.write(1, bits: 2)  // BTYPE 01: fixed Huffman
        let windowSize = 32_768, minimumMatch = 3, maximumMatch = 258
        let hashBits = 15
        var head = [Int](repeating: -1, count: 1 << hashBits)
        func hash(_ i: Int) -> Int {
            let value = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            return (value &* 2_654_435_761) >> (32 - hashBits) & ((1 << hashBits) - 1)
        }
        var i = 0
        while i < bytes.count {
            var matchLength = 0, matchDistance = 0
            if i + minimumMatch <= bytes.count {
                let h = hash(i)
                let candidate = head[h]
                head[h] = i
                if candidate >= 0 && i - candidate <= windowSize {
                    let limit = Swift.min(maximumMatch, bytes.count - i)
                    var length = 0
                    while length < limit && bytes[candidate + length] == bytes[i + length] { length += 1 }
                    if length >= minimumMatch {
                        matchLength = length
                        matchDistance = i - candidate
                    }
                }
            }
            if matchLength > 0 {
                writer.writeLength(matchLength)
                writer.writeDistance(matchDistance)
                // Remember the positions inside the match too, so later data can refer to them.
                var position = i + 1
                while position < i + matchLength && position + minimumMatch <= bytes.count {
                    head[hash(position)] = position
                    position += 1
                }
                i += matchLength
            } else {
                writer.writeLiteral(Int(bytes[i]))
                i += 1
            }
        }
        writer.writeLiteral(256)  // end of block
        return writer.finish()
    }
}

/// Writes DEFLATE's bit stream: numbers least significant bit first, Huffman codes most
/// significant bit first.
struct BitWriter {
    private var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    mutating func write(_ value: Int, bits: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    /// A Huffman code of `length` bits, sent most significant bit first.
    mutating func writeCode(_ code: Int, length: Int) {
        var reversed = 0
        for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
        write(reversed, bits: length)
    }

    /// A literal/length symbol in the fixed code.
    mutating func writeLiteral(_ symbol: Int) {
        switch symbol {
        case 0..<144: writeCode(0x30 + symbol, length: 8)
        case 144..<256: writeCode(0x190 + symbol - 144, length: 9)
        case 256..<280: writeCode(symbol - 256, length: 7)
        default: writeCode(0xC0 + symbol - 280, length: 8)
        }
    }

    mutating func writeLength(_ length: Int) {
        var index = InflateDecoder.lengthBase.count - 1
        while InflateDecoder.lengthBase[index] > length { index -= 1 }
        writeLiteral(257 + index)
        write(length - InflateDecoder.lengthBase[index], bits: InflateDecoder.lengthExtraBits[index])
    }

    mutating func writeDistance(_ distance: Int) {
        var index = InflateDecoder.distanceBase.count - 1
        while InflateDecoder.distanceBase[index] > distance { index -= 1 }
        writeCode(index, length: 5)
        write(distance - InflateDecoder.distanceBase[index], bits: InflateDecoder.distanceExtraBits[index])
    }

    mutating func finish() -> [UInt8] {
        if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        buffer = 0
        count = 0
        return bytes
    }
}
