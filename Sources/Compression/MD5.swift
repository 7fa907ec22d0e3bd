/// The MD5 digest (RFC 1321). It is broken as a defence against someone forging a file, but it
/// is the checksum that CIFAR-10's and Fashion-MNIST's authors publish for their downloads, so it
/// is the one that tells whether a download is exactly their file.
///
/// The message is padded to a multiple of 64 bytes (a 1 bit, zeros, then the bit length, little
/// endian), and each 64-byte block is mixed into four 32-bit words by 64 steps in four rounds,
/// each step adding a bitwise function of three words, a message word and a constant, then
/// rotating.
///
/// ```swift
/// MD5.hex(Array("abc".utf8))   // "900150983cd24fb0d6963f7d28e17f72"
/// ```
public enum MD5 {
    /// Each step's rotation: four per round, repeated four times in the round.
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21,
    ]
    /// The additive constants: the integer part of 2^32 x |sin(i + 1)| for i = 0...63 (radians), as
    /// RFC 1321 defines them.
    private static let constants: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee,
        0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be,
        0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa,
        0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed,
        0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c,
        0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05,
        0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039,
        0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1,
        0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    /// The 16-byte digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
        let wholeBlocks = bytes.count / 64 * 64
        bytes.withUnsafeBytes { data in
            for start in stride(from: 0, to: wholeBlocks, by: 64) {
                mix(UnsafeRawBufferPointer(rebasing: data[start..<start + 64]), into: &state)
            }
        }
        // The last, padded block or two: the rest of the message, 0x80, zeros, the length in bits.
        var tail = Array(bytes[wholeBlocks...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bitLength = UInt64(bytes.count) &* 8
        for shift in stride(from: 0, to: 64, by: 8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        tail.withUnsafeBytes { data in
            for start in stride(from: 0, to: data.count, by: 64) {
                mix(UnsafeRawBufferPointer(rebasing: data[start..<start + 64]), into: &state)
            }
        }
        var digest: [UInt8] = []
        for word in [state.0, state.1, state.2, state.3] {
            for shift in stride(from: 0, to: 32, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
            }
        }
        return digest
    }

    /// The digest as 32 lower-case hexadecimal digits, as checksums are published.
    public static func hex(_ bytes: [UInt8]) -> String {
        hash(bytes).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined()
    }

    /// Mixes one 64-byte block into the state.
    private static func mix(_ block: UnsafeRawBufferPointer, into state: inout (UInt32, UInt32, UInt32, UInt32)) {
        // The block as 16 little-endian words, read in place.
        func word(_ index: Int) -> UInt32 {
            UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
        }
        var (a, b, c, d) = state
        for step in 0..<64 {
            let mixed: UInt32
            let wordIndex: Int
            switch step / 16 {
            case 0:
                mixed = (b & c) | (~b & d)
                wordIndex = step
            case 1:
                mixed = (d & b) | (~d & c)
                wordIndex = (5 * step + 1) % 16
            case 2:
                mixed = b ^ c ^ d
                wordIndex = (3 * step + 5) % 16
            default:
                mixed = c ^ (b | ~d)
                wordIndex = (7 * step) % 16
            }
            let sum = a &+ mixed &+ constants[step] &+ word(wordIndex)
            let shift = shifts[(step / 16) * 4 + step % 4]
            (a, d, c) = (d, c, b)
            b = b &+ ((sum << shift) | (sum >> (32 - shift)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
