import Foundation
import Random

/// The shared driver of the fuzz targets in `Fuzz/`.
///
/// Each target is a function that must survive *any* bytes: a parser given a hostile file may
/// throw, but never crash, hang or allocate without bound. Built with
/// `-sanitize=fuzzer,address -DFUZZING` (see `Scripts/fuzz.sh`), a target is driven by libFuzzer,
/// coverage-guided. Built normally, `fuzzTargetMain` calls `runHarness`, a deterministic
/// random-mutation fuzzer that needs no special toolchain support:
///
///     fuzz-inflate [files...] [--mutations N] [--seconds S] [--seed N] [--write-seeds DIR]
///
/// It runs the target on the built-in seeds (valid inputs made with the project's own writers) and
/// on the files given, then on N mutated copies of them (bit flips, overwritten, inserted and
/// deleted bytes, truncations, spliced pieces) for at most S seconds. `--write-seeds DIR` writes the
/// seeds as files, the starting corpus for libFuzzer.
public func runHarness(name: String, seeds builtIn: [[UInt8]], target: ([UInt8]) -> Void) {
    var arguments = Array(CommandLine.arguments.dropFirst())
    func option(_ flag: String) -> String? {
        guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
        let value = arguments[index + 1]
        arguments.removeSubrange(index...index + 1)
        return value
    }
    let mutations = option("--mutations").flatMap(Int.init) ?? 20_000
    let seconds = option("--seconds").flatMap(Double.init) ?? 60
    let seed = option("--seed").flatMap(UInt64.init) ?? 1
    if let directory = option("--write-seeds") {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (index, bytes) in builtIn.enumerated() {
            _ = FileManager.default.createFile(atPath: "\(directory)/seed-\(index)", contents: Data(bytes))
        }
        print("\(name): wrote \(builtIn.count) seeds to \(directory)")
        return
    }
    var corpus = builtIn
    for path in arguments {
        if let data = FileManager.default.contents(atPath: path) { corpus.append([UInt8](data)) }
    }
    for input in corpus { target(input) }
    var generator = SeededGenerator(seed: seed)
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int(seconds * 1000))
    var runs = 0
    while runs < mutations && ContinuousClock.now < deadline {
        var input = corpus[Int(generator.next() % UInt64(corpus.count))]
        let edits = 1 + Int(generator.next() % 8)
        for _ in 0..<edits {
            mutate(&input, with: &generator, donor: corpus[Int(generator.next() % UInt64(corpus.count))])
        }
        target(input)
        runs += 1
    }
    print("\(name): \(corpus.count) seeds and \(runs) mutated inputs in \(start.duration(to: .now)), no crash")
}

/// One random edit of `bytes`.
func mutate(_ bytes: inout [UInt8], with generator: inout SeededGenerator, donor: [UInt8]) {
    func position(_ limit: Int) -> Int { limit <= 0 ? 0 : Int(generator.next() % UInt64(limit)) }
    let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0xFE, 8, 16, 32, 64]
    switch generator.next() % 7 {
    case 0 where !bytes.isEmpty:  // flip a bit
        bytes[position(bytes.count)] ^= UInt8(1 << (generator.next() % 8))
    case 1 where !bytes.isEmpty:  // overwrite a byte with a boundary value
        bytes[position(bytes.count)] = interesting[position(interesting.count)]
    case 2:  // insert random bytes
        let at = position(bytes.count + 1)
        bytes.insert(
            contentsOf: (0..<(1 + position(8))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: at)
    case 3 where !bytes.isEmpty:  // delete a run
        let start = position(bytes.count)
        bytes.removeSubrange(start..<Swift.min(bytes.count, start + 1 + position(16)))
    case 4:  // truncate
        bytes = Array(bytes.prefix(position(bytes.count + 1)))
    case 5 where !donor.isEmpty:  // splice in a piece of another input
        let start = position(donor.count)
        let piece = donor[start..<Swift.min(donor.count, start + 1 + position(64))]
        bytes.insert(contentsOf: piece, at: position(bytes.count + 1))
    default:  // overwrite 4 bytes with a big-endian or little-endian boundary number
        guard bytes.count >= 4 else { return }
        let at = position(bytes.count - 3)
        let value: UInt32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, 28, 65_535][position(7)]
        for index in 0..<4 { bytes[at + index] = UInt8(truncatingIfNeeded: value >> UInt32(8 * index)) }
    }
}

/// The target the running program fuzzes (one per process; libFuzzer calls it on one thread).
nonisolated(unsafe) var currentTarget: ([UInt8]) -> Void = { _ in }

/// The whole program of a fuzz target. SwiftPM links an executable's entry point under the name
/// `<target>_main`; each target defines that symbol (`@_cdecl("fuzz_NAME_main")`) to call this.
/// Built with -DFUZZING, it hands control to libFuzzer; otherwise it runs `runHarness`.
public func fuzzTargetMain(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    name: String, seeds: () -> [[UInt8]], target: @escaping ([UInt8]) -> Void
) -> Int32 {
    currentTarget = target
    #if FUZZING
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in
        currentTarget(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
    #else
    runHarness(name: name, seeds: seeds(), target: target)
    return 0
    #endif
}

#if FUZZING
// swift-format-ignore: AlwaysUseLowerCamelCase
// libFuzzer's C entry point keeps its C name.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// libFuzzer's conventional entry, for tools that look for it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    currentTarget(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#endif
