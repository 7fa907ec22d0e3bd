import Compression
import Foundation
import Testing

@Suite("Checksums, DEFLATE and gzip")
struct CompressionTests {
    @Test("CRC-32 of '123456789' is the standard check value 0xCBF43926")
    func crc32() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        var incremental = CRC32()
        incremental.update(Array("1234".utf8))
        incremental.update(Array("56789".utf8))
        #expect(incremental.value == 0xCBF4_3926)
    }

    @Test("SHA-256 matches the FIPS 180-4 examples")
    func sha256() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("A stored block decodes to its bytes")
    func storedBlock() throws {
        // BFINAL=1, BTYPE=00, LEN=5, NLEN=~5, then the bytes.
        let stream: [UInt8] = [0x01, 0x05, 0x00, 0xFA, 0xFF] + Array("hello".utf8)
        #expect(try Inflate.decompress(stream) == Array("hello".utf8))
    }

    @Test("A fixed-Huffman block (made by zlib with Z_FIXED) decodes to its text")
    func fixedHuffman() throws {
        let stream = [UInt8](
            Data(base64Encoded: "887MS8nJzEtXyAYxUoutFBIV0jKLUhXSivJzgezigsSibB0gIy+1pDy/KBsmnptYUpRZoVBQlJ9SmlyiBwA=")!
        )
        #expect((stream[0] >> 1) & 3 == 1)  // block type 1: fixed
        let text = "Kindling kindles: a fire from a spark, a network from a matrix product."
        #expect(try Inflate.decompress(stream) == Array(text.utf8))
    }

    @Test("A dynamic-Huffman block with long back-references (made by zlib -9) decodes to its 4444 bytes")
    func dynamicHuffman() throws {
        let stream = [UInt8](
            Data(
                base64Encoded: """
                    7dTLaQQxEATQu6OYEPTXyNkYvGsWljUY54/RdXgB+NDXujzokur5eN2OdHzfj/R+fP18fD5ur9+3507nTvM1zTst1/Tcab2mZaftmi5q1Voi18jlTK/Ty4XgoJfoTXKZ3EmtUFvUqjV313xNl9d9Tbc36CV6k1wmd1Ir1Ba1as3dNV/T5XVf0+0Neone9NMkd1Ir1Ba1as3dNV/T5XVf0+0Nev7o00+T3EnN33xRq9bcXfM1XV73Nd3eoBcjHSMdIx0jHSMdIx0jHSMdIx0jHSP9n0f6Dw==
                    """)!)
        #expect((stream[0] >> 1) & 3 == 2)  // block type 2: dynamic
        let text = (0..<200).map { "line \($0 * 7 % 13) of \($0 % 5): gradient" }.joined(separator: "\n")
        let output = try Inflate.decompress(stream)
        #expect(output.count == 4444)
        #expect(output == Array(text.utf8))
        #expect(CRC32.checksum(output) == 4_074_093_668)
    }

    @Test("gzip: a file from Python's gzip module decodes, its CRC and length checked")
    func gzipFromPython() throws {
        let file = [UInt8](
            Data(
                base64Encoded:
                    "H4sIAAAAAAACA/POzEvJycxLV8gGMVKLrRQSFdIyi1IV0oryc4Hs4oLEomwdICMvtaQ8vygbJp6bWFKUWaFQUJSfUppcogcAGf1JEEcAAAA="
            )!)
        #expect(Gzip.isGzip(file))
        #expect(
            try Gzip.decompress(file)
                == Array("Kindling kindles: a fire from a spark, a network from a matrix product.".utf8))
    }

    @Test("gzip: an empty file, several stored blocks, and two concatenated members")
    func gzipStoredAndMembers() throws {
        #expect(try Gzip.decompress(storedGzip([])) == [])
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 31) }  // four stored blocks
        #expect(try Gzip.decompress(storedGzip(big)) == big)
        let two = storedGzip(Array("first ".utf8)) + storedGzip(Array("second".utf8))
        #expect(try Gzip.decompress(two) == Array("first second".utf8))
    }

    @Test("gzip: a flipped data byte is reported as a CRC-32 mismatch")
    func corruptCRC() {
        var file = storedGzip(Array("some data worth protecting".utf8))
        file[20] ^= 0x01
        #expect { try Gzip.decompress(file) } throws: { error in
            "\(error)".contains("CRC-32 mismatch")
        }
    }

    @Test("gzip: a file cut short is reported as truncated, at every cut point")
    func truncated() {
        let file = [UInt8](
            Data(
                base64Encoded:
                    "H4sIAAAAAAACA/POzEvJycxLV8gGMVKLrRQSFdIyi1IV0oryc4Hs4oLEomwdICMvtaQ8vygbJp6bWFKUWaFQUJSfUppcogcAGf1JEEcAAAA="
            )!)
        for cut in 2..<file.count {
            #expect(throws: DecompressionError.self) { try Gzip.decompress(Array(file[..<cut])) }
        }
    }

    @Test("DEFLATE: block type 3, a bad stored length, and a reference before the start are errors")
    func malformedStreams() {
        #expect { try Inflate.decompress([0x07]) } throws: { "\($0)".contains("block type 3") }
        #expect { try Inflate.decompress([0x01, 0x05, 0x00, 0x00, 0x00]) } throws: { "\($0)".contains("complement") }
        // Fixed block: literal 'a' (code 10010001), then length 3 (code 0000001) at distance 2
        // (code 00001): only one byte exists, so distance 2 is before the start.
        // Bits (first sent first): 1 10 | 10010001 | 0000001 | 00001 | end 0000000
        let bits = "1" + "10" + "10010001" + "0000001" + "00001" + "0000000"
        #expect { try Inflate.decompress(packBits(bits)) } throws: { "\($0)".contains("before the start") }
    }

    @Test("DEFLATE: a length-distance copy may overlap itself (distance 1 repeats a byte)")
    func overlappingCopy() throws {
        // literal 'a', then length 10 (symbol 264, code 0001000) at distance 1 (code 00000), end.
        let bits = "1" + "10" + "10010001" + "0001000" + "00000" + "0000000"
        #expect(try Inflate.decompress(packBits(bits)) == Array(repeating: UInt8(ascii: "a"), count: 11))
    }

    @Test("DEFLATE: output beyond the size cap is refused (decompression bomb)")
    func sizeCap() {
        let stream: [UInt8] = [0x01, 0x05, 0x00, 0xFA, 0xFF] + Array("hello".utf8)
        #expect { try Inflate.decompress(stream, maximumOutputSize: 4) } throws: {
            "\($0)".contains("exceeds the limit of 4 bytes")
        }
    }

    /// Packs a string of '0'/'1' bits into bytes in DEFLATE's order: header fields least
    /// significant bit first, Huffman codes most significant bit first, as written out here.
    private func packBits(_ bits: String) -> [UInt8] {
        // Header fields (BFINAL, BTYPE) are numbers sent LSB first; "10" above is BTYPE=01 sent
        // as its low bit 1 then high bit 0. Codes are written in the order they are sent.
        var bytes: [UInt8] = []
        for (index, bit) in bits.enumerated() {
            if index % 8 == 0 { bytes.append(0) }
            if bit == "1" { bytes[bytes.count - 1] |= UInt8(1 << (index % 8)) }
        }
        return bytes
    }
}

func storedGzip(_ content: [UInt8]) -> [UInt8] { Gzip.compress(content, level: .stored) }

@Suite("DEFLATE, zlib and gzip writers")
struct CompressorTests {
    static let samples: [[UInt8]] = [
        [], Array("a".utf8), Array("abcabcabcabcabcabcabcabc".utf8),
        (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 13) },  // runs and repeats
        (0..<70_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) },  // noise
        [UInt8](repeating: 0, count: 300_000),  // one long run
    ]

    @Test("Every sample survives compress then decompress, at both levels and in all three containers")
    func roundTrips() throws {
        for sample in Self.samples {
            for level in [Deflate.Level.stored, .fast] {
                #expect(try Inflate.decompress(Deflate.compress(sample, level: level)) == sample)
                #expect(try Zlib.decompress(Zlib.compress(sample, level: level)) == sample)
                #expect(try Gzip.decompress(Gzip.compress(sample, level: level)) == sample)
            }
        }
    }

    @Test("The fast level shrinks repetitive data: 300,000 zeros to under 3 KB, repeated text tenfold")
    func compresses() {
        #expect(Deflate.compress([UInt8](repeating: 0, count: 300_000)).count < 3_000)
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog ", count: 2_000).utf8)
        #expect(Deflate.compress(text).count < text.count / 10)
    }

    @Test("Adler-32 of 'Wikipedia' is 0x11E60398; a long input matches the modular definition")
    func adler32() {
        #expect(Adler32.checksum(Array("Wikipedia".utf8)) == 0x11E6_0398)
        let long = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        var a = 1, b = 0
        for byte in long {
            a = (a + Int(byte)) % 65521
            b = (b + a) % 65521
        }
        #expect(Adler32.checksum(long) == UInt32(b << 16 | a))
    }

    @Test("A zlib stream with a corrupted byte fails its Adler-32 or its DEFLATE structure")
    func corruptZlib() {
        var stream = Zlib.compress(Array("pixels pixels pixels pixels".utf8), level: .stored)
        stream[10] ^= 0x40
        #expect(throws: DecompressionError.self) { try Zlib.decompress(stream) }
    }
}
