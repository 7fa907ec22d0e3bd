/// The CRC-32 checksum of gzip, zip and PNG (polynomial 0xEDB88320, reflected), which detects any
/// burst of flipped bits up to 32 long and almost every other corruption.
///
/// A table of the CRC of every byte value lets the checksum advance a byte at a time instead of a
/// bit at a time.
///
/// ```swift
/// CRC32.checksum(Array("123456789".utf8))   // 0xCBF43926, the standard check value
/// ```
public struct CRC32: Sendable {
    /// The checksum of everything fed so far.
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Continues the checksum over `bytes`.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var crc = ~value
        for byte in bytes {
            crc = CRC32.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        value = ~crc
    }

    /// The checksum of `bytes` alone.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var c = UInt32(index)
        for _ in 0..<8 {
            c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1
        }
        return c
    }
}
