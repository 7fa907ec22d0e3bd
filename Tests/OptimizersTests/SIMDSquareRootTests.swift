import Foundation
import Optimizers
import Random
import Testing

@Suite("SIMD square root")
struct SIMDSquareRootTests {
    @Test("fastSquareRoot is within 2 ulp of the correctly rounded root over a million values, exact at 0 and infinity")
    func accuracy() {
        var rng = SeededGenerator(seed: 12)
        var worstUlps: Float = 0
        for _ in 0..<125_000 {
            // Magnitudes from 1e-30 to 1e30, plus denormal-free small values.
            let x = SIMD8<Float>((0..<8).map { _ in Foundation.pow(10, rng.nextFloat() * 60 - 30) })
            let fast = x.fastSquareRoot()
            for lane in 0..<8 {
                let exact = x[lane].squareRoot()
                worstUlps = max(worstUlps, abs(fast[lane] - exact) / exact.ulp)
            }
        }
        #expect(worstUlps <= 2, "worst error \(worstUlps) ulp")
        let special = SIMD8<Float>(0, 1, 4, 9, .infinity, -1, 2, 0.25).fastSquareRoot()
        #expect(special[0] == 0 && special[4] == .infinity && special[5].isNaN)
        #expect(abs(special[1] - 1) <= Float(1).ulp && abs(special[2] - 2) <= 2 * Float(2).ulp)
    }
}
