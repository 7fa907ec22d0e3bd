// Fuzz target: the gzip, zlib and raw DEFLATE decoders (Sources/Compression).
import Compression
import FuzzHarness

/// The first byte chooses the container; the rest is the input. Output is capped at 64 MB, so a
/// decompression bomb must be refused, not followed.
func target(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    let input = Array(bytes.dropFirst())
    switch selector % 3 {
    case 0: _ = try? Gzip.decompress(input, maximumOutputSize: 64 << 20)
    case 1: _ = try? Zlib.decompress(input, maximumOutputSize: 64 << 20)
    default: _ = try? Inflate.decompress(input, maximumOutputSize: 64 << 20)
    }
}

func seeds() -> [[UInt8]] {
    let text = Array(String(repeating: "kindling fuzzes its parsers ", count: 40).utf8)
    let noise = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
    var result: [[UInt8]] = []
    for data in [text, noise, [], [UInt8](repeating: 0, count: 5000)] {
        for level in [Deflate.Level.stored, .fast] {
            result.append([0] + Gzip.compress(data, level: level))
            result.append([1] + Zlib.compress(data, level: level))
            result.append([2] + Deflate.compress(data, level: level))
        }
    }
    return result
}

@_cdecl("fuzz_inflate_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-inflate", seeds: seeds, target: target)
}
