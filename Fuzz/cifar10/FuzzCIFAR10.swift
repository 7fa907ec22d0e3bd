// Fuzz target: the CIFAR-10 binary batch reader (Sources/Datasets/CIFAR10.swift) and the tar
// reader its archive goes through (Sources/Compression/TarArchive.swift).
import Compression
import Datasets
import FuzzHarness

func target(_ bytes: [UInt8]) {
    if let records = try? CIFAR10.records(in: bytes, path: "fuzz.bin") {
        precondition(records.pixels.count == records.labels.count * 3072, "pixels and labels disagree")
        precondition(records.labels.allSatisfy { (0..<10).contains($0) }, "a label outside 0...9 was accepted")
    }
    if let archive = try? TarArchive(bytes) {
        for entry in archive.entries {
            precondition(entry.contentOffset + entry.size <= bytes.count, "a member reaches past the archive")
            _ = archive.contents(of: entry.name)
        }
    }
}

func seeds() -> [[UInt8]] {
    let record = { (label: UInt8) in [label] + (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 7) } }
    let archive = TarArchive.ustar([
        ("cifar-10-batches-bin/test_batch.bin", record(3)),
        ("cifar-10-batches-bin/batches.meta.txt", Array("cat\n".utf8)),
    ])
    return [record(3), record(0) + record(9), [], archive]
}

@_cdecl("fuzz_cifar10_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-cifar10", seeds: seeds, target: target)
}
