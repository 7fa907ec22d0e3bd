import MatrixMath

/// The graders of tutorial 01's exercises: the matrix product, plain and cache-blocked.
public enum MatrixGraders {
    /// Known answers and random shapes (not square, k = 1) against the library's product.
    public static func naiveMatmul(_ learner: (Matrix, Matrix) throws -> Matrix, grader: Grader) throws {
        try grader.check(
            "2x3 times 3x2, a known answer",
            hint: "C[i, j] = a[i, 0] * b[0, j] + a[i, 1] * b[1, j] + ...: row i of A against column j of B"
        ) {
            let a = Matrix([[1, 2, 3], [4, 5, 6]]), b = Matrix([[7, 8], [9, 10], [11, 12]])
            try expectClose(try learner(a, b), Matrix([[58, 64], [139, 154]]), what: "A B")
        }
        for (m, k, n) in [(5, 7, 3), (17, 33, 9), (4, 1, 6), (1, 20, 1)] {
            try grader.check(
                "random \(m)x\(k) times \(k)x\(n)\(k == 1 ? " (k = 1: an outer product)" : "")",
                hint: "A is m x k and B is k x n: i runs over m, j over n, p over all k; C is m x n, and each "
                    + "C[i, j] adds up all k products"
            ) {
                let a = randomMatrix(m, k, seed: UInt64(m * 100 + k)), b = randomMatrix(k, n, seed: UInt64(n * 7 + k))
                try expectClose(try learner(a, b), a.matmul(b, kernel: .naive), what: "A B")
            }
        }
    }

    /// The product at sizes that are and are not multiples of the block, blocks larger than the
    /// matrix and of one element, and sums that span several blocks along k.
    public static func blockedMatmul(_ learner: (Matrix, Matrix, Int) throws -> Matrix, grader: Grader) throws {
        let cases: [(m: Int, k: Int, n: Int, block: Int, name: String, hint: String)] = [
            (
                8, 8, 8, 4, "8x8 times 8x8 in blocks of 4",
                "for every tile of C (rows i0..<i0+4, columns j0..<j0+4), add the products of A's tiles along its "
                    + "rows and B's tiles down its columns"
            ),
            (
                8, 40, 8, 4, "8x40 times 40x8 in blocks of 4: each C tile sums 10 blocks along k",
                "each tile of C receives the products of several tiles along k: add them (+=), never assign"
            ),
            (
                37, 29, 41, 8, "37x29 times 29x41 in blocks of 8 (no size a multiple of 8)",
                "the last tiles are smaller: end each block at min(start + blockSize, size)"
            ),
            (
                5, 5, 5, 64, "5x5 times 5x5 in blocks of 64 (one block bigger than the matrix)",
                "a block may be larger than the matrix: min(start + blockSize, size) again"
            ),
            (
                6, 3, 4, 1, "6x3 times 3x4 in blocks of 1",
                "blocks of 1 are single elements: the loops must still cover everything"
            ),
        ]
        for c in cases {
            try grader.check(c.name, hint: c.hint) {
                let a = randomMatrix(c.m, c.k, seed: UInt64(c.m * 31 + c.k)),
                    b = randomMatrix(c.k, c.n, seed: UInt64(c.n * 17 + 3))
                try expectClose(try learner(a, b, c.block), a.matmul(b, kernel: .naive), what: "A B")
            }
        }
    }
}
