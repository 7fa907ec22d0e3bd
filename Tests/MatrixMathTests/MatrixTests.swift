import MatrixMath
import Random
import Testing

@Suite("Matrix: construction, indexing, arithmetic, reductions")
struct MatrixTests {
    let a = Matrix([
        [1, 2, 3],
        [4, 5, 6],
    ])

    @Test("A matrix built from rows stores them row-major and reports its shape")
    func construction() {
        #expect(a.rows == 2 && a.columns == 3)
        #expect(a.storage == [1, 2, 3, 4, 5, 6])
        #expect(a[1, 0] == 4)
        #expect(a.row(1) == [4, 5, 6])
        #expect(a.column(2) == [3, 6])
        #expect(Matrix.zeros(rows: 2, columns: 2).storage == [0, 0, 0, 0])
        #expect(Matrix(rows: 1, columns: 3, repeating: 7).storage == [7, 7, 7])
        #expect(Matrix.identity(2).storage == [1, 0, 0, 1])
        #expect(a.rows(1..<2) == Matrix([[4, 5, 6]]))
    }

    @Test("Matrix is a value type: changing a copy leaves the original alone")
    func valueSemantics() {
        var b = a
        b[0, 0] = 100
        #expect(a[0, 0] == 1)
        #expect(b[0, 0] == 100)
    }

    @Test("Transpose swaps rows and columns, including sizes past the 32x32 blocks")
    func transpose() {
        #expect(a.transposed() == Matrix([[1, 4], [2, 5], [3, 6]]))
        var rng = SeededGenerator(seed: 2)
        let big = Matrix.uniform(rows: 37, columns: 70, in: 0..<1, using: &rng)
        let t = big.transposed()
        #expect(t.rows == 70 && t.columns == 37)
        #expect(t[69, 36] == big[36, 69] && t[33, 5] == big[5, 33])
        #expect(t.transposed() == big)
    }

    @Test("Reshape keeps the row-major order of the values")
    func reshape() {
        #expect(a.reshaped(rows: 3, columns: 2) == Matrix([[1, 2], [3, 4], [5, 6]]))
    }

    @Test("Same-shape + - * / work elementwise")
    func elementwise() {
        let b = Matrix([[6, 5, 4], [3, 2, 1]])
        #expect(a + b == Matrix([[7, 7, 7], [7, 7, 7]]))
        #expect(a - b == Matrix([[-5, -3, -1], [1, 3, 5]]))
        #expect(a * b == Matrix([[6, 10, 12], [12, 10, 6]]))
        #expect(a / b == Matrix([[1.0 / 6, 2.0 / 5, 3.0 / 4], [4.0 / 3, 5.0 / 2, 6]]))
        #expect(-a == Matrix([[-1, -2, -3], [-4, -5, -6]]))
    }

    @Test("Scalars combine with every element, on either side")
    func scalars() {
        #expect(a + 1 == Matrix([[2, 3, 4], [5, 6, 7]]))
        #expect(10 - a == Matrix([[9, 8, 7], [6, 5, 4]]))
        #expect(a * 2 == Matrix([[2, 4, 6], [8, 10, 12]]))
        #expect(a / 2 == Matrix([[0.5, 1, 1.5], [2, 2.5, 3]]))
        #expect(6 / Matrix([[1, 2, 3]]) == Matrix([[6, 3, 2]]))
        var b = a
        b *= 3
        b -= 1
        #expect(b == Matrix([[2, 5, 8], [11, 14, 17]]))
    }

    @Test("A row vector broadcasts over rows and a column vector over columns")
    func broadcasting() {
        let bias = Matrix(row: [10, 20, 30])
        #expect(a + bias == Matrix([[11, 22, 33], [14, 25, 36]]))
        #expect(bias + a == a + bias)
        let perRow = Matrix(column: [1, 2])
        #expect(a * perRow == Matrix([[1, 2, 3], [8, 10, 12]]))
        #expect(a / perRow == Matrix([[1, 2, 3], [2, 2.5, 3]]))
        // Row times column broadcasts both ways into an outer sum.
        #expect(Matrix(row: [1, 2]) + Matrix(column: [10, 20]) == Matrix([[11, 12], [21, 22]]))
        #expect(Matrix.broadcastShape(a, Matrix.zeros(rows: 3, columns: 3)) == nil)
    }

    @Test("Sums, means and maxima along each dimension match hand-computed values")
    func reductions() {
        #expect(a.sum() == 21)
        #expect(a.mean() == 3.5)
        #expect(a.max() == 6)
        #expect(a.sum(dim: 0) == Matrix(row: [5, 7, 9]))
        #expect(a.sum(dim: 1) == Matrix(column: [6, 15]))
        #expect(a.mean(dim: 0) == Matrix(row: [2.5, 3.5, 4.5]))
        #expect(a.mean(dim: 1) == Matrix(column: [2, 5]))
        #expect(a.max(dim: 0) == Matrix(row: [4, 5, 6]))
        #expect(a.max(dim: 1) == Matrix(column: [3, 6]))
    }

    @Test("Sums accumulate in Double: a million 0.1s add to 100000, not float drift")
    func accurateSum() {
        let many = Matrix(rows: 1000, columns: 1000, repeating: 0.1)
        #expect(abs(many.sum() - 100_000) < 1)
        #expect(abs(many.sum(dim: 1)[0, 0] - 100) < 1e-4)
    }

    @Test("argmax returns the first index of the largest value per row, as PyTorch")
    func argmax() {
        let scores = Matrix([[0.1, 0.7, 0.2], [5, 5, 1], [-3, -2, -1]])
        #expect(scores.argmax(dim: 1) == [1, 0, 2])
        #expect(scores.argmax(dim: 0) == [1, 1, 1])
    }

    @Test("map applies a function to every element")
    func mapping() {
        #expect(a.map { $0 * $0 } == Matrix([[1, 4, 9], [16, 25, 36]]))
    }

    @Test("Printing abbreviates large matrices like PyTorch")
    func description() {
        #expect(Matrix([[1, -0.25]]).description == "matrix([[1.0000, -0.2500]])")
        let big = Matrix.zeros(rows: 10, columns: 10)
        #expect(big.description.contains("..."))
        #expect(big.description.split(separator: "\n").count == 7)
    }
}

@Suite("The transpose kernel")
struct TransposeKernelTests {
    @Test(
        "transposeValues equals the plain double loop: 8x8 blocks, 32x32 tiles, ragged edges, bands on several cores",
        arguments: [(1, 1), (3, 5), (8, 8), (9, 17), (32, 33), (64, 40), (100, 7), (128, 784), (300, 250)])
    func matchesPlainLoop(rows: Int, columns: Int) {
        let values = (0..<rows * columns).map { Float($0) }
        var expected = [Float](repeating: 0, count: values.count)
        for i in 0..<rows {
            for j in 0..<columns { expected[j * rows + i] = values[i * columns + j] }
        }
        #expect(transposeValues(values, rows: rows, columns: columns) == expected)
    }
}
