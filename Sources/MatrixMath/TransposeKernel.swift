import Parallel

/// The transpose of a row-major [rows, columns] array: the kernel under `Matrix.transposed()` and
/// autograd's `Tensor.transposed()` (PyTorch's `.t()`, which every Linear layer records).
///
/// A plain double loop writes one value per cache line of the output and is memory-bound several
/// times over; this one moves 8x8 blocks through SIMD registers (`transpose8x8`), walking 32x32
/// tiles so that the rows read and the rows written stay in the cache, with plain loops for the
/// edges that are not whole blocks. Bands of 32 rows go to different cores: each writes its own
/// columns of the result.
///
/// ## Shape
/// - [rows, columns] -> [columns, rows]
///
/// ```swift
/// let t = transposeValues([1, 2, 3, 4, 5, 6], rows: 2, columns: 3)   // [1, 4, 2, 5, 3, 6]
/// ```
public func transposeValues(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    precondition(values.count == rows * columns, "transpose: \(values.count) values for \(rows) x \(columns)")
    let tile = 32
    return [Float](uninitializedCount: values.count) { target in
        values.withUnsafeBufferPointer { buffer in
            guard let source = buffer.baseAddress else { return }
            // A band is 32 rows; small arrays stay on one core (below ~32K values, waking a
            // second one costs more than it saves).
            let bands = (rows + tile - 1) / tile
            let minimumBands = Swift.max(1, (1 << 15) / Swift.max(1, tile * columns))
            parallelFor(bands, minimumPerThread: minimumBands) { range in
                for band in range {
                    let rowStart = band * tile
                    let rowEnd = Swift.min(rowStart + tile, rows)
                    for columnStart in stride(from: 0, to: columns, by: tile) {
                        let columnEnd = Swift.min(columnStart + tile, columns)
                        // Whole 8x8 blocks in registers.
                        let blockRows = rowStart + (rowEnd - rowStart) / 8 * 8
                        let blockColumns = columnStart + (columnEnd - columnStart) / 8 * 8
                        for i in stride(from: rowStart, to: blockRows, by: 8) {
                            for j in stride(from: columnStart, to: blockColumns, by: 8) {
                                transpose8x8(
                                    source + i * columns + j, stride: columns, into: target + j * rows + i,
                                    targetStride: rows)
                            }
                        }
                        // The edges, value by value.
                        for i in rowStart..<rowEnd {
                            let firstColumn = i < blockRows ? blockColumns : columnStart
                            for j in firstColumn..<columnEnd { target[j * rows + i] = source[i * columns + j] }
                        }
                    }
                }
            }
        }
    }
}

/// Transposes the 8x8 block whose row r starts at `source + r * stride` into `target`, row r of
/// the result (column r of the block) at `target + r * targetStride`.
///
/// Three rounds of "unzip" do it: splitting a sequence of 64 values into its even-indexed and
/// odd-indexed halves rotates the 6 bits of every index right by one, and three rotations swap
/// the 3 row bits with the 3 column bits, which is exactly a transpose.
@inline(__always)
func transpose8x8(
    _ source: UnsafePointer<Float>, stride: Int, into target: UnsafeMutablePointer<Float>, targetStride: Int
) {
    var (r0, r1, r2, r3) = (
        eightValues(source, row: 0, stride), eightValues(source, row: 1, stride), eightValues(source, row: 2, stride),
        eightValues(source, row: 3, stride)
    )
    var (r4, r5, r6, r7) = (
        eightValues(source, row: 4, stride), eightValues(source, row: 5, stride), eightValues(source, row: 6, stride),
        eightValues(source, row: 7, stride)
    )
    transposeInRegisters(&r0, &r1, &r2, &r3, &r4, &r5, &r6, &r7)
    let out = UnsafeMutableRawPointer(target)
    out.storeBytes(of: r0, as: SIMD8<Float>.self)
    out.storeBytes(of: r1, toByteOffset: 4 * targetStride, as: SIMD8<Float>.self)
    out.storeBytes(of: r2, toByteOffset: 8 * targetStride, as: SIMD8<Float>.self)
    out.storeBytes(of: r3, toByteOffset: 12 * targetStride, as: SIMD8<Float>.self)
    out.storeBytes(of: r4, toByteOffset: 16 * targetStride, as: SIMD8<Float>.self)
    out.storeBytes(of: r5, toByteOffset: 20 * targetStride, as: SIMD8<Float>.self)
    out.storeBytes(of: r6, toByteOffset: 24 * targetStride, as: SIMD8<Float>.self)
    out.storeBytes(of: r7, toByteOffset: 28 * targetStride, as: SIMD8<Float>.self)
}

/// The eight values at `source + row * stride`, as one vector (no alignment needed).
@inline(__always)
func eightValues(_ source: UnsafePointer<Float>, row: Int, _ stride: Int) -> SIMD8<Float> {
    UnsafeRawPointer(source + row * stride).loadUnaligned(as: SIMD8<Float>.self)
}

/// Transposes the 8x8 block held in eight row vectors, in place: afterwards `r_j` holds what was
/// lane j of r0 ... r7 (three rounds of "unzip", as `transpose8x8` explains). Also Winograd's
/// F(4x4) with images in the lanes, to stage planes.
@inlinable @inline(__always)
package func transposeInRegisters(
    _ r0: inout SIMD8<Float>, _ r1: inout SIMD8<Float>, _ r2: inout SIMD8<Float>, _ r3: inout SIMD8<Float>,
    _ r4: inout SIMD8<Float>, _ r5: inout SIMD8<Float>, _ r6: inout SIMD8<Float>, _ r7: inout SIMD8<Float>
) {
    for _ in 0..<3 {
        let p0 = SIMD16(lowHalf: r0, highHalf: r1), p1 = SIMD16(lowHalf: r2, highHalf: r3)
        let p2 = SIMD16(lowHalf: r4, highHalf: r5), p3 = SIMD16(lowHalf: r6, highHalf: r7)
        (r0, r1, r2, r3) = (p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf)
        (r4, r5, r6, r7) = (p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf)
    }
}
