import Compression
import Testing

@Suite("MD5, the checksum CIFAR-10 and Fashion-MNIST publish")
struct MD5Tests {
    @Test("MD5 gives RFC 1321's answers for its test messages, across the 55/56/64-byte padding edges")
    func knownAnswers() {
        #expect(MD5.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex(Array("message digest".utf8)) == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(MD5.hex(Array("abcdefghijklmnopqrstuvwxyz".utf8)) == "c3fcd3d76192e4007dfb496cca67e13b")
        let digits = String(repeating: "1234567890", count: 8)  // 80 bytes: two blocks
        #expect(MD5.hex(Array(digits.utf8)) == "57edf4a22be3c955ac49da2e2107b67a")
        // Python's hashlib for 55, 56 and 64 bytes of "a": the padding fits, spills, or takes a block.
        #expect(MD5.hex([UInt8](repeating: 0x61, count: 55)) == "ef1772b6dff9a122358552954ad0df65")
        #expect(MD5.hex([UInt8](repeating: 0x61, count: 56)) == "3b0c8ac703f828b04c6c197006d17218")
        #expect(MD5.hex([UInt8](repeating: 0x61, count: 64)) == "014842d480b571495a4a0363793f7367")
    }
}
