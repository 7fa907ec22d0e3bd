// Fuzz target: the CIFAR-10 binary batch reader (Sources/Datasets/CIFAR10.swift).
import Datasets
import FuzzHarness

func target(_ bytes: [UInt8]) {
    if let records = try? CIFAR10.records(in: bytes, path: "fuzz.bin") {
        precondition(records.pixels.count == records.labels.count * 3072, "pixels and labels disagree")
        precondition(records.labels.allSatisfy { (0..<10).contains($0) }, "a label outside 0...9 was accepted")
    }
}

func seeds() -> [[UInt8]] {
    let record = { (label: UInt8) in [label] + (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 7) } }
    return [record(3), record(0) + record(9), []]
}

@_cdecl("fuzz_cifar10_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-cifar10", seeds: seeds, target: target)
}
