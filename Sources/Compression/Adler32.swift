/// The Adler-32 checksum of the zlib format (and so of PNG's image data): two running sums modulo
/// 65521, the largest prime below 2^16. Cheaper than CRC-32 and good enough to catch a wrong
/// decompression.
///
/// ```swift
/// Adler32.checksum(Array("Wikipedia".utf8))   // 0x11E60398
/// ```
public struct Adler32: Sendable {
    public private(set) var value: UInt32 = 1

    public init() {}

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var a = value & 0xFFFF, b = value >> 16
        var pending = 0
        for byte in bytes {
            a += UInt32(byte)
            b += a
            pending += 1
            // Reduce before b can overflow 32 bits (5552 bytes is zlib's bound).
            if pending == 5552 {
                a %= 65521
                b %= 65521
                pending = 0
            }
        }
        value = (b % 65521) << 16 | (a % 65521)
    }

    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var adler = Adler32()
        adler.update(bytes)
        return adler.value
    }
}
