import MatrixMath
import Parallel
import Random
import TestSupport
import Testing

/// The fast GEMM kernels are checked against the naive triple loop, which is simple enough to be
/// right by inspection, on sizes that are not multiples of the 6x16 tile or of the cache blocks.
@Suite("GEMM: packed and parallel kernels agree with the naive loop")
struct GEMMTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        let transA: Transpose, transB: Transpose
        var testDescription: String {
            "\(m)x\(n)x\(k) \(transA == .none ? "A" : "A^T")\(transB == .none ? "B" : "B^T")"
        }
    }

    static let sizes: [(Int, Int, Int)] = [
        (1, 1, 1), (7, 7, 7), (17, 17, 17), (129, 129, 129),
        (6, 16, 512), (5, 15, 511), (13, 70, 513), (7, 33, 1025),  // tile and kc boundaries (512, 128 with AVX-512), ±1
        (300, 33, 40), (31, 200, 9), (145, 4100, 3),  // mc and nc boundaries
        (200, 48, 216), (64, 130, 300), (1, 300, 20), (300, 1, 20),
        (13, 1210, 1030),  // one block of rows: several L2-sized blocks of B, three slices of k
        (600, 300, 7),  // whole 6-row panels of A packed with k < 8
    ]
    static let cases: [Case] = sizes.flatMap { size in
        [(Transpose.none, Transpose.none), (.transposed, .none), (.none, .transposed), (.transposed, .transposed)]
            .map { Case(m: size.0, n: size.1, k: size.2, transA: $0.0, transB: $0.1) }
    }

    /// Runs one GEMM on random data with the given kernel and returns C.
    static func run(
        _ c: Case, alpha: Float = 1, beta: Float = 0, kernel: GEMMKernel,
        seed: UInt64 = 1, lda extraA: Int = 0, ldc extraC: Int = 0
    ) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let (aRows, aColumns) = c.transA == .none ? (c.m, c.k) : (c.k, c.m)
        let (bRows, bColumns) = c.transB == .none ? (c.k, c.n) : (c.n, c.k)
        let lda = aColumns + extraA, ldc = c.n + extraC
        let a = (0..<aRows * lda).map { _ in rng.nextFloat() * 2 - 1 }
        let b = (0..<bRows * bColumns).map { _ in rng.nextFloat() * 2 - 1 }
        var out = (0..<c.m * ldc).map { _ in rng.nextFloat() * 2 - 1 }
        gemm(
            transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: bColumns, beta: beta, c: &out, ldc: ldc, kernel: kernel)
        return out
    }

    @Test("Packed kernel equals the naive loop", arguments: cases)
    func packedMatchesNaive(_ c: Case) {
        expectClose(Self.run(c, kernel: .packed), Self.run(c, kernel: .naive))
    }

    @Test("Parallel kernel equals the naive loop", arguments: cases)
    func parallelMatchesNaive(_ c: Case) {
        expectClose(Self.run(c, kernel: .parallel), Self.run(c, kernel: .naive))
    }

    @Test(
        "Parallel kernel sharing each packed block of B between cores gives one core's bits: 2 and 3 threads, two slices of k, edge tiles, C = 0.5 AB - 2 C",
        arguments: [(Transpose.none, Transpose.none), (.transposed, .transposed)])
    func sharedPanels(transA: Transpose, transB: Transpose) {
        // Bands of rows (m >= n) of at least 144 rows: four handed out to 2 cores, three to 3
        // cores; 34 panels of B (the last of 3 columns), k = 2 x 258.
        let c = Case(m: 601, n: 531, k: 515, transA: transA, transB: transB)
        let single = Self.run(c, alpha: 0.5, beta: -2, kernel: .packed)
        for threads in [2, 3] {
            let shared = Parallelism.withThreadCount(threads) { Self.run(c, alpha: 0.5, beta: -2, kernel: .parallel) }
            #expect(shared == single, "\(threads) threads")
        }
    }

    @Test(
        "alpha and beta scale the product and the old C: C = 0.5 AB - 2 C",
        arguments: [
            Case(m: 23, n: 37, k: 19, transA: .none, transB: .none),
            Case(m: 130, n: 20, k: 300, transA: .transposed, transB: .transposed),
        ])
    func alphaBeta(_ c: Case) {
        for kernel in [GEMMKernel.packed, .parallel] {
            expectClose(
                Self.run(c, alpha: 0.5, beta: -2, kernel: kernel),
                Self.run(c, alpha: 0.5, beta: -2, kernel: .naive))
        }
    }

    @Test("Leading dimensions larger than the width multiply a sub-matrix and leave the padding alone")
    func leadingDimensions() {
        // A is 3x2 inside rows of 4, B is 2x2 inside rows of 3, C is 3x2 inside rows of 3; the
        // padding holds 99s that must never be read into the product or overwritten.
        let a: [Float] = [
            1, 2, 99, 99,
            3, 4, 99, 99,
            5, 6, 99, 99,
        ]
        let b: [Float] = [
            1, 0, 99,
            0, 1, 99,
        ]
        for kernel in GEMMKernel.allCases {
            var c: [Float] = [1, 1, 99, 1, 1, 99, 1, 1, 99]
            gemm(m: 3, n: 2, k: 2, a: a, lda: 4, b: b, ldb: 3, beta: 1, c: &c, ldc: 3, kernel: kernel)
            #expect(c == [2, 3, 99, 4, 5, 99, 6, 7, 99])
        }
        let c = Case(m: 40, n: 35, k: 30, transA: .none, transB: .none)
        expectClose(
            Self.run(c, beta: 1, kernel: .packed, lda: 5, ldc: 3),
            Self.run(c, beta: 1, kernel: .naive, lda: 5, ldc: 3))
    }

    @Test("With beta = 0, NaN already in C is overwritten, not propagated (as BLAS)")
    func betaZeroIgnoresC() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        for kernel in GEMMKernel.allCases {
            var c = [Float](repeating: .nan, count: 4)
            gemm(m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, c: &c, ldc: 2, kernel: kernel)
            #expect(c == [19, 22, 43, 50])
        }
    }

    @Test("k = 0 leaves beta * C, the product of an empty sum")
    func emptyInnerDimension() {
        var c: [Float] = [1, 2, 3, 4]
        gemm(m: 2, n: 2, k: 0, a: [], lda: 1, b: [], ldb: 2, beta: 3, c: &c, ldc: 2)
        #expect(c == [3, 6, 9, 12])
    }

    @Test("Matrix.matmul: [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]], and with transposes")
    func matmulKnownAnswer() {
        let a = Matrix([[1, 2], [3, 4]]), b = Matrix([[5, 6], [7, 8]])
        #expect(a.matmul(b) == Matrix([[19, 22], [43, 50]]))
        #expect(a.matmul(b, transposeOther: true) == Matrix([[17, 23], [39, 53]]))
        #expect(a.matmul(b, transposeSelf: true) == Matrix([[26, 30], [38, 44]]))
        #expect(a.matmul(.identity(2)) == a)
        let x = Matrix([[1, 2, 3]]), w = Matrix([[1], [0], [-1]])
        #expect(x.matmul(w) == Matrix([[-2]]))
    }

    @Test("Every kernel gives the same product through Matrix.matmul on a 100x300 by 300x50 problem")
    func matmulKernelsAgree() {
        var rng = SeededGenerator(seed: 11)
        let a = Matrix.normal(rows: 100, columns: 300, using: &rng)
        let b = Matrix.normal(rows: 300, columns: 50, using: &rng)
        let reference = a.matmul(b, kernel: .naive)
        expectClose(a.matmul(b, kernel: .packed), reference)
        expectClose(a.matmul(b, kernel: .parallel), reference)
    }

    @Test("The register tile is 6x16 (6x32 with AVX-512); paddedArea rounds each side up to it: 48x24 costs 48x32")
    func paddedArea() {
        let (rows, columns) = GEMMKernel.registerTile
        #expect(rows == 6 && (columns == 16 || columns == 32))
        #expect(GEMMKernel.paddedArea(m: rows, n: columns) == rows * columns)
        #expect(GEMMKernel.paddedArea(m: rows + 1, n: 1) == 2 * rows * columns)
        #expect(GEMMKernel.paddedArea(m: 1, n: columns + 1) == rows * 2 * columns)
        #expect(GEMMKernel.paddedArea(m: 48, n: 24) == 48 * 32)
        #expect(GEMMKernel.paddedArea(m: 24, n: 48) == 24 * (columns == 16 ? 48 : 64))
        #expect(GEMMKernel.paddedArea(m: 0, n: 5) == 0)
    }
}
