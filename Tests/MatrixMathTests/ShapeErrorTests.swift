import MatrixMath
import Testing

/// Shape mistakes are programming errors, so they stop the program (a precondition) rather than
/// throw; the message must name the operation and both shapes. Exit tests run each in a child
/// process and read what it printed.
@Suite("Shape errors name the operation and both shapes")
struct ShapeErrorTests {
    @Test("Adding 2x3 and 4x3 stops with 'Matrix +: shapes 2x3 and 4x3 do not broadcast'")
    func addMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Matrix.zeros(rows: 2, columns: 3) + Matrix.zeros(rows: 4, columns: 3)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Matrix +: shapes 2x3 and 4x3 do not broadcast"))
    }

    @Test("matmul of 2x3 by 2x3 stops naming both shapes and the inner dimensions")
    func matmulMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Matrix.zeros(rows: 2, columns: 3).matmul(Matrix.zeros(rows: 2, columns: 3))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Matrix.matmul: inner dimensions differ: 2x3 x 2x3 (3 vs 2)"))
    }

    @Test("Building a matrix from ragged rows stops naming the row")
    func raggedRows() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Matrix([[1, 2], [3]])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("row 1 has 1 values, row 0 has 2"))
    }
}
