import Foundation
import Kindling

/// `benchmarks peak`: the ceiling every other GFLOP/s figure is measured against.
func runPeakBenchmark() {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print("FMA peak: a loop of nothing but SIMD\(FMAPeak.lanes)<Float>.addingProduct, twelve independent accumulators,")
    print("2 FLOPs x \(FMAPeak.lanes) lanes per FMA, best of 3 runs of 240 million FMAs per thread")
    print("widest vectors of this CPU: \(FMAPeak.widestVectors ?? "unknown")\n")
    for threads in Array(Set([1, cores])).sorted() {
        let gflops = FMAPeak.measure(threads: threads)
        print(
            String(
                format: "%2d thread%@  %7.1f GFLOP/s  (%.1f per thread)", threads, threads == 1 ? " " : "s", gflops,
                gflops / Double(threads)))
    }
}
