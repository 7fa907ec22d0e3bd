import Foundation
import MatrixMath
import Random
import TestSupport
import Testing

@Suite("Softmax and log-softmax on matrices")
struct SoftmaxTests {
    @Test("softmax([1, 2, 3]) = e^z / sum e^z = [0.0900, 0.2447, 0.6652]")
    func knownValues() {
        let p = Matrix([[1, 2, 3]]).softmax(dim: 1)
        // e^1 : e^2 : e^3 over their sum 30.1929: 2.7183/30.1929, 7.3891/30.1929, 20.0855/30.1929.
        expectClose(p.storage, [0.090_030_57, 0.244_728_47, 0.665_240_96], tolerance: 1e-6)
    }

    @Test("Every row of a softmax sums to 1, and all probabilities are in (0, 1)")
    func rowsSumToOne() {
        var rng = SeededGenerator(seed: 4)
        let z = Matrix.normal(rows: 50, columns: 10, std: 5, using: &rng)
        let p = z.softmax(dim: 1)
        for i in 0..<p.rows {
            #expect(abs(p.row(i).reduce(0, +) - 1) < 1e-5)
        }
        #expect(p.storage.allSatisfy { $0 > 0 && $0 < 1 })
        let q = z.softmax(dim: 0)
        expectClose(q.sum(dim: 0).storage, [Float](repeating: 1, count: 10), tolerance: 1e-5)
    }

    @Test("Softmax and log-softmax stay finite for logits like 1e4 and -1e4")
    func largeInputs() {
        let z = Matrix([[1e4, 0, -1e4], [1e4, 1e4, 1e4], [-1e4, -1e4, -1e4 + 1]])
        let p = z.softmax(dim: 1)
        #expect(p.storage.allSatisfy { $0.isFinite })
        expectClose(p.row(0), [1, 0, 0])
        expectClose(p.row(1), [1.0 / 3, 1.0 / 3, 1.0 / 3])
        let logP = z.logSoftmax(dim: 1)
        #expect(logP.storage.allSatisfy { $0.isFinite })
        #expect(logP[0, 0] == 0)
        #expect(logP[0, 2] == -2e4)  // log of a probability that underflows to 0, still exact
    }

    @Test("log-softmax equals the logarithm of softmax on ordinary inputs")
    func logSoftmaxMatchesLogOfSoftmax() {
        var rng = SeededGenerator(seed: 9)
        let z = Matrix.normal(rows: 8, columns: 6, using: &rng)
        expectClose(z.logSoftmax(dim: 1), z.softmax(dim: 1).map { Foundation.log($0) }, tolerance: 1e-5)
        expectClose(z.logSoftmax(dim: 0), z.softmax(dim: 0).map { Foundation.log($0) }, tolerance: 1e-5)
    }
}
