/// The zlib container (RFC 1950), used inside PNG files: a 2-byte header naming DEFLATE and its
/// window, the DEFLATE stream, then the Adler-32 of the original data, big-endian.
///
/// ```swift
/// let stream = Zlib.compress(pixels)
/// try Zlib.decompress(stream) == pixels      // true
/// ```
public enum Zlib {
    public static func compress(_ bytes: [UInt8], level: Deflate.Level = .fast) -> [UInt8] {
        // CMF 0x78: DEFLATE with a 32 KB window; FLG 0x01 makes (CMF * 256 + FLG) divisible by 31.
        let checksum = Adler32.checksum(bytes)
        return [0x78, 0x01] + Deflate.compress(bytes, level: level)
            + [
                UInt8(checksum >> 24), UInt8(truncatingIfNeeded: checksum >> 16),
                UInt8(truncatingIfNeeded: checksum >> 8), UInt8(truncatingIfNeeded: checksum),
            ]
    }

    public static func decompress(_ bytes: [UInt8], maximumOutputSize: Int = Inflate.defaultMaximumOutputSize) throws
        -> [UInt8]
    {
        guard bytes.count >= 6 else {
            throw DecompressionError("zlib stream of \(bytes.count) bytes is too short (truncated)")
        }
        guard bytes[0] & 0x0F == 8, (Int(bytes[0]) << 8 | Int(bytes[1])) % 31 == 0 else {
            throw DecompressionError("not a zlib stream (header \(bytes[0]) \(bytes[1]))")
        }
        guard bytes[1] & 0x20 == 0 else { throw DecompressionError("zlib preset dictionaries are not supported") }
        var decoder = InflateDecoder(input: bytes, start: 2, maximumOutputSize: maximumOutputSize)
        try decoder.run()
        let end = decoder.endPosition
        guard end + 4 <= bytes.count else {
            throw DecompressionError("zlib stream ends without its Adler-32 checksum (truncated)")
        }
        let stored =
            UInt32(bytes[end]) << 24 | UInt32(bytes[end + 1]) << 16 | UInt32(bytes[end + 2]) << 8
            | UInt32(bytes[end + 3])
        guard stored == Adler32.checksum(decoder.output) else {
            throw DecompressionError("zlib Adler-32 mismatch (corrupt)")
        }
        return decoder.output
    }
}
