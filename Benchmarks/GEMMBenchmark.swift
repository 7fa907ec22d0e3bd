import Foundation
import Kindling
import ProgramSupport

/// One GEMM problem: C[m, n] = op(A) * op(B) with op(A) m x k, op(B) k x n.
struct GEMMShape {
    let name: String
    let m: Int, n: Int, k: Int
    var transA: Transpose = .none
    var transB: Transpose = .none
    /// A product that runs one per core (per image of a batch): timed on one thread only.
    var perCore = false

    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// GFLOP/s of each kernel on one shape.
func measure(_ shape: GEMMShape, kernel: GEMMKernel, threads: Int) -> Double {
    Parallelism.threadCount = threads
    var rng = SeededGenerator(seed: 1)
    let aCount = shape.m * shape.k, bCount = shape.k * shape.n
    let a = (0..<aCount).map { _ in rng.nextFloat() - 0.5 }
    let b = (0..<bCount).map { _ in rng.nextFloat() - 0.5 }
    var c = [Float](repeating: 0, count: shape.m * shape.n)
    let lda = shape.transA == .none ? shape.k : shape.m
    let ldb = shape.transB == .none ? shape.n : shape.k
    let seconds = a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                // At least five runs, as many as numpy gets in `numpy_gemm_compare.py`, so that the
                // two are compared on the same number of tries even at 2048^3 (0.16 s a run).
                Stopwatch.bestTime(minimumSeconds: kernel == .naive ? 0 : 0.3, minimumRuns: kernel == .naive ? 1 : 5) {
                    gemm(
                        transA: shape.transA, transB: shape.transB, m: shape.m, n: shape.n, k: shape.k,
                        a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                        c: c.baseAddress!, ldc: shape.n, kernel: kernel)
                }
            }
        }
    }
    return shape.flops / seconds / 1e9
}

func runGEMMBenchmark(quick: Bool) {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print("GEMM benchmark: C = A * B in Float32, best of several runs, GFLOP/s = 2mnk / seconds / 1e9")
    print("machine: \(cores) cores; parallel kernel uses \(cores) threads\n")

    let squares = (quick ? [128, 256, 512] : [128, 256, 512, 1024, 2048]).map {
        GEMMShape(name: "\($0)^3", m: $0, n: $0, k: $0)
    }
    // The products the networks of DESIGN.md run, as Kindling runs them. Linear layers multiply a
    // whole batch on both cores: pytorch-example's fc1 (batch 64) and convnet's fc1 (batch 200),
    // forward Y = X W^T (W read as stored, [out, in]: B^T), dX = dY W and dW^T = X^T dY. Both
    // networks' conv2 (3x3) run Winograd's F(4x4, 3x3) on one core per group of images (timed on
    // one thread): per position of the 6x6 tile, M = U V, dU += dM V^T and dV = U^T dM, over a
    // group's tiles (pytorch-example: 8 images of 36 tiles, 288; convnet: 16 images of 9, 144), with
    // U^T laid out once per batch. The weight gradient's product runs as dU^T += V dM^T where that
    // orientation fills more of the register tiles (GEMMKernel.paddedArea), as the convolution
    // chooses.
    func weightGradientProduct(outputChannels oc: Int, channels c: Int, tiles: Int) -> GEMMShape {
        GEMMKernel.paddedArea(m: c, n: oc) < GEMMKernel.paddedArea(m: oc, n: c)
            ? GEMMShape(
                name: "wino dU^T \(c)x\(oc)x\(tiles) (B^T)", m: c, n: oc, k: tiles, transB: .transposed, perCore: true)
            : GEMMShape(
                name: "wino dU \(oc)x\(c)x\(tiles) (B^T)", m: oc, n: c, k: tiles, transB: .transposed, perCore: true)
    }
    let layers = [
        GEMMShape(name: "fc1 64x128x9216 (B^T)", m: 64, n: 128, k: 9216, transB: .transposed),
        GEMMShape(name: "fc1 dX 64x9216x128", m: 64, n: 9216, k: 128),
        GEMMShape(name: "fc1 dW 9216x128x64 (A^T)", m: 9216, n: 128, k: 64, transA: .transposed),
        GEMMShape(name: "fc1 200x200x1200 (B^T)", m: 200, n: 200, k: 1200, transB: .transposed),
        GEMMShape(name: "fc1 dX 200x1200x200", m: 200, n: 1200, k: 200),
        GEMMShape(name: "fc1 dW 1200x200x200 (A^T)", m: 1200, n: 200, k: 200, transA: .transposed),
        GEMMShape(name: "wino fwd 64x288x32", m: 64, n: 288, k: 32, perCore: true),
        weightGradientProduct(outputChannels: 64, channels: 32, tiles: 288),
        GEMMShape(name: "wino dV 32x288x64", m: 32, n: 288, k: 64, perCore: true),
        GEMMShape(name: "wino fwd 48x144x24", m: 48, n: 144, k: 24, perCore: true),
        weightGradientProduct(outputChannels: 48, channels: 24, tiles: 144),
        GEMMShape(name: "wino dV 24x144x48", m: 24, n: 144, k: 48, perCore: true),
    ]

    // Every figure beside the machine's measured ceiling: the FMA-only loop (benchmarks peak),
    // measured before and after the products. On a shared machine a core is sometimes slower for a
    // while; the higher of the two is the ceiling, so no share is inflated by one slow measurement.
    let peakBefore = (single: FMAPeak.measure(threads: 1), all: FMAPeak.measure(threads: cores))
    var rows: [(shape: GEMMShape, naive: String, single: Double, parallel: Double?)] = []
    for shape in squares + layers {
        let isSquare = squares.contains { $0.name == shape.name }
        // The naive loop takes seconds per call at 1024^3 and on the layer shapes: time it only
        // where it finishes quickly.
        let naive =
            isSquare && shape.m <= 512 ? String(format: "%.2f", measure(shape, kernel: .naive, threads: 1)) : "-"
        let single = measure(shape, kernel: .packed, threads: 1)
        let parallel = shape.perCore ? nil : measure(shape, kernel: .parallel, threads: cores)
        rows.append((shape, naive, single, parallel))
    }
    let peakSingle = max(peakBefore.single, FMAPeak.measure(threads: 1))
    let peakAll = max(peakBefore.all, FMAPeak.measure(threads: cores))
    print(
        String(
            format:
                "measured FMA peak (SIMD\(FMAPeak.lanes) addingProduct, the higher of before and after): %.1f GFLOP/s on 1 thread, %.1f on %d threads\n",
            peakSingle, peakAll, cores))
    print(
        "\(pad("shape", 28)) \(pad("naive", 8)) \(pad("1 thread", 9)) \(pad("% peak", 7)) \(pad("\(cores) threads", 10)) \(pad("% peak", 7))"
    )
    var bestSingle = 0.0, bestParallel = 0.0
    var worstLayerRatioSingle = Double.infinity, worstLayerRatioParallel = Double.infinity
    var layerResults: [(Double, Double?)] = []
    for (shape, naive, single, parallel) in rows {
        let isSquare = squares.contains { $0.name == shape.name }
        let parallelText = parallel.map { String(format: "%.1f", $0) } ?? "per core"
        let parallelShare = parallel.map { String(format: "%.0f%%", 100 * $0 / peakAll) } ?? "-"
        print(
            "\(pad(shape.name, 28)) \(pad(naive, 8)) \(pad(String(format: "%.1f", single), 9)) "
                + "\(pad(String(format: "%.0f%%", 100 * single / peakSingle), 7)) \(pad(parallelText, 10)) \(pad(parallelShare, 7))"
        )
        if isSquare && shape.m >= 512 {
            bestSingle = max(bestSingle, single)
            bestParallel = max(bestParallel, parallel ?? 0)
        }
        if !isSquare { layerResults.append((single, parallel)) }
    }
    for (single, parallel) in layerResults {
        worstLayerRatioSingle = min(worstLayerRatioSingle, single / peakSingle)
        if let parallel { worstLayerRatioParallel = min(worstLayerRatioParallel, parallel / peakAll) }
    }
    Parallelism.threadCount = cores
    print("")
    print(
        String(
            format: "layer shapes: slowest at %.0f%% (1 thread) and %.0f%% (%d threads) of the FMA peak",
            worstLayerRatioSingle * 100, worstLayerRatioParallel * 100, cores))
    print(
        String(
            format: "peak share: 1 thread %.0f%% of %.1f, %d threads %.0f%% of %.1f", 100 * bestSingle / peakSingle,
            peakSingle, cores, 100 * bestParallel / peakAll, peakAll))
    print(String(format: "summary: 1 thread %.1f GFLOP/s, %d threads %.1f GFLOP/s", bestSingle, cores, bestParallel))
}
