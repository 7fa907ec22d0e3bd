// Fuzz target: the IDX reader (Sources/Datasets/IDXFile.swift), on plain and gzipped bytes.
import Compression
import Datasets
import FuzzHarness

func target(_ bytes: [UInt8]) {
    let raw = Gzip.isGzip(bytes) ? ((try? Gzip.decompress(bytes, maximumOutputSize: 64 << 20)) ?? []) : bytes
    if let file = try? IDXFile(bytes: raw, path: "fuzz.idx"), file.count <= 1 << 16 {
        _ = file.values()
    }
}

func idx(_ type: UInt8, _ dimensions: [Int], _ payload: [UInt8]) -> [UInt8] {
    [0, 0, type, UInt8(dimensions.count)]
        + dimensions.flatMap { d in (0..<4).map { UInt8(truncatingIfNeeded: d >> (24 - 8 * $0)) } } + payload
}

func seeds() -> [[UInt8]] {
    let images = idx(0x08, [2, 28, 28], (0..<1568).map { UInt8(truncatingIfNeeded: $0) })
    return [
        images, Gzip.compress(images), idx(0x08, [5], [1, 2, 3, 4, 5]), idx(0x0B, [2], [1, 2, 0xFF, 0xFE]),
        idx(0x0D, [1], [0x3F, 0xC0, 0, 0]), idx(0x0E, [1, 1], [0x3F, 0xF0, 0, 0, 0, 0, 0, 0]),
    ]
}

@_cdecl("fuzz_idx_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-idx", seeds: seeds, target: target)
}
