/// Reading gzip files (RFC 1952): a small header, a DEFLATE stream, then the CRC-32 and length of
/// the original data, both checked.
///
/// A file may hold several gzip members one after another (what `cat a.gz b.gz` makes); their
/// contents are concatenated, as `gunzip` does.
///
/// ```swift
/// let raw = try Gzip.decompress(Array(fileData))
/// Gzip.isGzip(bytes)      // true when the file starts with the gzip magic 1f 8b
/// ```
public enum Gzip {
    /// True when `bytes` start with the gzip magic number 0x1f 0x8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// A gzip file holding `bytes` (one member, no file name, modification time 0).
    public static func compress(_ bytes: [UInt8], level: Deflate.Level = .fast) -> [UInt8] {
        var output: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        output += Deflate.compress(bytes, level: level)
        let crc = CRC32.checksum(bytes), size = UInt32(truncatingIfNeeded: bytes.count)
        for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return output
    }

    /// Decompresses every member of a gzip file.
    public static func decompress(
        _ bytes: [UInt8],
        maximumOutputSize: Int = Inflate.defaultMaximumOutputSize
    ) throws -> [UInt8] {
        guard isGzip(bytes) else {
            throw DecompressionError("not a gzip file (it does not start with the bytes 1f 8b)")
        }
        var result: [UInt8] = []
        var start = 0
        var member = 1
        while start < bytes.count {
            if !isGzip(Array(bytes[start..<Swift.min(start + 2, bytes.count)])) {
                // Some tools pad a file with zeros after the last member; gunzip accepts that.
                if bytes[start...].allSatisfy({ $0 == 0 }) { break }
                throw DecompressionError("unexpected bytes after gzip member \(member - 1) at offset \(start)")
            }
            let dataStart = try headerLength(bytes, at: start)
            var decoder = InflateDecoder(
                input: bytes, start: dataStart,
                maximumOutputSize: maximumOutputSize - result.count)
            try decoder.run()
            let trailer = decoder.endPosition
            guard trailer + 8 <= bytes.count else {
                throw DecompressionError(
                    "gzip member \(member) ends without its 8-byte CRC and length trailer (truncated)")
            }
            let storedCRC = littleEndian32(bytes, at: trailer)
            let storedLength = littleEndian32(bytes, at: trailer + 4)
            let actualCRC = CRC32.checksum(decoder.output)
            guard storedCRC == actualCRC else {
                throw DecompressionError(
                    "CRC-32 mismatch in gzip member \(member): stored \(hex(storedCRC)), data gives \(hex(actualCRC)) (corrupt)"
                )
            }
            guard storedLength == UInt32(truncatingIfNeeded: decoder.output.count) else {
                throw DecompressionError(
                    "length mismatch in gzip member \(member): stored \(storedLength), decompressed \(decoder.output.count) bytes (corrupt)"
                )
            }
            result.append(contentsOf: decoder.output)
            start = trailer + 8
            member += 1
        }
        return result
    }

    /// Parses the header of the member at `start` and returns where its DEFLATE data begins.
    private static func headerLength(_ bytes: [UInt8], at start: Int) throws -> Int {
        guard start + 10 <= bytes.count else {
            throw DecompressionError("gzip header is shorter than 10 bytes (truncated)")
        }
        guard bytes[start + 2] == 8 else {
            throw DecompressionError("gzip compression method \(bytes[start + 2]) is not DEFLATE (8)")
        }
        let flags = bytes[start + 3]
        guard flags & 0xE0 == 0 else {
            throw DecompressionError("gzip header has reserved flag bits set (\(hex(UInt32(flags))))")
        }
        var position = start + 10
        if flags & 0x04 != 0 {  // FEXTRA: a length, then that many bytes
            guard position + 2 <= bytes.count else { throw DecompressionError("gzip extra field is truncated") }
            position += 2 + Int(bytes[position]) + Int(bytes[position + 1]) << 8
        }
        for flag in [UInt8(0x08), 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            while position < bytes.count && bytes[position] != 0 { position += 1 }
            position += 1
        }
        if flags & 0x02 != 0 { position += 2 }  // FHCRC: a CRC-16 of the header
        guard position <= bytes.count else {
            throw DecompressionError("gzip header runs past the end of the file (truncated)")
        }
        return position
    }

    private static func littleEndian32(_ bytes: [UInt8], at index: Int) -> UInt32 {
        UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3])
            << 24
    }

    private static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
