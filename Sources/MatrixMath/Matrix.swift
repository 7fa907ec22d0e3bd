import Foundation

/// A two-dimensional array of `Float`, stored row by row: the raw material of every model here.
///
/// Element (i, j) lives at `storage[i * columns + j]` ("row-major", as in C, NumPy and PyTorch), so
/// walking along a row touches neighbouring memory and walking down a column jumps a whole row at
/// a time. `Matrix` is a value type: `var b = a; b[0, 0] = 1` leaves `a` unchanged (the copy
/// happens lazily, on the first write).
///
/// ## Shape
/// `rows x columns`; a batch of n flattened 28x28 images is a 784-column matrix with n rows.
///
/// ```swift
/// let a = Matrix([[1, 2, 3],
///                 [4, 5, 6]])             // 2x3
/// let b = a.matmul(a.transposed())        // 2x2: [[14, 32], [32, 77]]
/// ```
public struct Matrix: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The `rows * columns` values, row after row.
    public var storage: [Float]

    /// `(rows, columns)`, printed as `2x3` in messages.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// Number of elements.
    public var count: Int { storage.count }

    /// A matrix over existing row-major values.
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)x\(columns)")
        precondition(
            storage.count == rows * columns,
            "Matrix: \(storage.count) values cannot fill a \(rows)x\(columns) matrix (needs \(rows * columns))")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Float) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)x\(columns)")
        self.init(rows: rows, columns: columns, storage: [Float](repeating: value, count: rows * columns))
    }

    /// A matrix of zeros.
    public static func zeros(rows: Int, columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, repeating: 0)
    }

    /// The identity matrix of size n.
    public static func identity(_ n: Int) -> Matrix {
        var result = Matrix.zeros(rows: n, columns: n)
        for i in 0..<n { result[i, i] = 1 }
        return result
    }

    /// A matrix from an array of rows, which must all have the same length.
    public init(_ rowArrays: [[Float]]) {
        let width = rowArrays.first?.count ?? 0
        for (index, row) in rowArrays.enumerated() where row.count != width {
            preconditionFailure("Matrix: row \(index) has \(row.count) values, row 0 has \(width)")
        }
        self.init(rows: rowArrays.count, columns: width, storage: Array(rowArrays.joined()))
    }

    /// A 1 x n row vector.
    public init(row values: [Float]) {
        self.init(rows: 1, columns: values.count, storage: values)
    }

    /// An n x 1 column vector.
    public init(column values: [Float]) {
        self.init(rows: values.count, columns: 1, storage: values)
    }

    /// The element in row `i`, column `j`.
    public subscript(i: Int, j: Int) -> Float {
        get {
            checkIndex(i, j)
            return storage[i * columns + j]
        }
        set {
            checkIndex(i, j)
            storage[i * columns + j] = newValue
        }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Float] {
        precondition(i >= 0 && i < rows, "Matrix.row: row \(i) out of range for a \(shapeText) matrix")
        return Array(storage[i * columns..<(i + 1) * columns])
    }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Float] {
        precondition(j >= 0 && j < columns, "Matrix.column: column \(j) out of range for a \(shapeText) matrix")
        return (0..<rows).map { storage[$0 * columns + j] }
    }

    /// The rows in `range`, as a new matrix (a mini-batch is a slice of rows).
    public func rows(_ range: Range<Int>) -> Matrix {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= rows,
            "Matrix.rows: range \(range) out of bounds for a \(shapeText) matrix")
        return Matrix(
            rows: range.count, columns: columns,
            storage: Array(storage[range.lowerBound * columns..<range.upperBound * columns]))
    }

    /// The transpose: element (i, j) becomes element (j, i).
    public func transposed() -> Matrix {
        Matrix(rows: columns, columns: rows, storage: transposeValues(storage, rows: rows, columns: columns))
    }

    /// The same values read as another shape with the same number of elements.
    public func reshaped(rows newRows: Int, columns newColumns: Int) -> Matrix {
        precondition(
            newRows * newColumns == count,
            "Matrix.reshaped: cannot view \(shapeText) (\(count) values) as \(newRows)x\(newColumns)")
        return Matrix(rows: newRows, columns: newColumns, storage: storage)
    }

    /// A new matrix with `transform` applied to every element.
    public func map(_ transform: (Float) throws -> Float) rethrows -> Matrix {
        Matrix(rows: rows, columns: columns, storage: try storage.map(transform))
    }

    /// The shape as text, `rows x columns`, for messages.
    public var shapeText: String { "\(rows)x\(columns)" }

    private func checkIndex(_ i: Int, _ j: Int) {
        precondition(
            i >= 0 && i < rows && j >= 0 && j < columns,
            "Matrix: index (\(i), \(j)) out of range for a \(shapeText) matrix")
    }
}

extension Matrix: CustomStringConvertible {
    /// Prints like PyTorch: `matrix([[1.0000, 2.0000], [3.0000, 4.0000]])`, with the middle rows and
    /// columns of a large matrix replaced by `...`.
    public var description: String {
        func rowText(_ i: Int) -> String {
            let indices = Matrix.abbreviated(columns)
            let parts = indices.map { $0.map { self[i, $0].formatted4 } ?? "..." }
            return "[" + parts.joined(separator: ", ") + "]"
        }
        let lines = Matrix.abbreviated(rows).map { $0.map(rowText) ?? "..." }
        return "matrix([" + lines.joined(separator: ",\n        ") + "])"
    }

    /// Indices to print for a dimension of size n: all of them up to 6, else the first three,
    /// a gap (`nil`), and the last three.
    private static func abbreviated(_ n: Int) -> [Int?] {
        n <= 6 ? Array(0..<n) : [0, 1, 2, nil, n - 3, n - 2, n - 1]
    }
}

extension Float {
    /// Four decimals as PyTorch prints tensors (`1.0000`, `-0.2500`); scientific notation for values
    /// too large or too small for that to be readable.
    public var formatted4: String {
        guard isFinite else { return "\(self)" }
        let magnitude = Swift.abs(self)
        if magnitude >= 1e6 || (magnitude < 1e-4 && magnitude != 0) {
            return String(format: "%.4e", Double(self))
        }
        return String(format: "%.4f", Double(self))
    }
}
