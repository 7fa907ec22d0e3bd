import Dispatch
import Foundation
import Parallel

/// The fastest this machine can run the kernels' inner instruction, measured: a loop of nothing but
/// fused multiply-adds on the widest vector the build may use (`SIMD16<Float>` in an AVX-512 build,
/// else `SIMD8<Float>`), with twelve independent accumulators, so that no FMA waits for the one
/// before it. (On Zen 4, which runs a 512-bit FMA as two 256-bit halves, both widths give the same
/// figure; on Intel cores with two 512-bit FMA units, SIMD16 doubles it.)
///
/// A core finishes an FMA every cycle or two per FMA unit, but each takes several cycles: with one
/// accumulator the loop would measure latency, not throughput. Twelve chains hide the latency of
/// every current x86 and Arm core. The figure is the ceiling every GFLOP/s of the benchmarks and
/// tutorial 01 is shown against: 2 FLOPs (a multiply and an add) x lanes x FMAs per second.
///
/// ```swift
/// let peak = FMAPeak.measure(threads: 1)     // about 116 GFLOP/s on one Zen 4 core
/// ```
public enum FMAPeak {
    /// GFLOP/s of the FMA-only loop on `threads` threads at once (best of `runs` runs).
    public static func measure(threads: Int = 1, iterations: Int = 20_000_000, runs: Int = 3) -> Double {
        var best = 0.0
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let sink = LockedValue<Float>(0)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                let value = fmaLoop(iterations)
                sink.withLock { $0 += value }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            // Reading the sum keeps the loops from being optimised away.
            if sink.withLock({ $0 }).isNaN { return .nan }
            best = Swift.max(best, Double(threads) * Double(iterations) * 12 * Double(lanes) * 2 / seconds / 1e9)
        }
        return best
    }

    #if KINDLING_AVX512
    /// The vector the build's widest instructions hold: SIMD16 (512-bit) in an AVX-512 build.
    public typealias Vector = SIMD16<Float>
    #else
    /// The vector the build's widest instructions hold: SIMD8 (256-bit AVX2, or two NEON registers).
    public typealias Vector = SIMD8<Float>
    #endif

    /// Floats per vector of the build: 16 in an AVX-512 build, else 8.
    public static let lanes = Vector.scalarCount

    /// `iterations` rounds of twelve independent FMAs on the build's widest vector.
    @inline(never)
    static func fmaLoop(_ iterations: Int) -> Float {
        var a0 = Vector(repeating: 1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0
        var a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0
        let x = Vector(repeating: 0.999_999), y = Vector(repeating: 1e-7)
        for _ in 0..<iterations {
            a0 = a0.addingProduct(x, y)
            a1 = a1.addingProduct(x, y)
            a2 = a2.addingProduct(x, y)
            a3 = a3.addingProduct(x, y)
            a4 = a4.addingProduct(x, y)
            a5 = a5.addingProduct(x, y)
            a6 = a6.addingProduct(x, y)
            a7 = a7.addingProduct(x, y)
            a8 = a8.addingProduct(x, y)
            a9 = a9.addingProduct(x, y)
            a10 = a10.addingProduct(x, y)
            a11 = a11.addingProduct(x, y)
        }
        return ((a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7) + (a8 + a9) + (a10 + a11)).sum()
    }

    /// The widest vector instructions this CPU offers, as the operating system reports them
    /// ("AVX-512", "AVX2 + FMA", "NEON"), or nil when it cannot tell.
    public static var widestVectors: String? {
        #if arch(arm64)
        return "NEON (128-bit, with FMA)"
        #else
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flagsLine = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.contains("avx512f") { return "AVX-512 (512-bit, with FMA)" }
        if flags.contains("avx2") && flags.contains("fma") { return "AVX2 + FMA (256-bit)" }
        if flags.contains("avx") { return "AVX (256-bit, no FMA)" }
        return "SSE (128-bit)"
        #endif
    }
}
