import MatrixMath
import Parallel

/// The matrix product and the affine map of a Linear layer, through MatrixMath's GEMM.
///
///     C = A B:           dA = dC B^T,   dB = A^T dC
///     Y = X W^T + b:     dX = dY W,     dW = dY^T X,    db = sum over rows of dY
///
/// Derivation of dA: C_ij = sum_p A_ip B_pj, so dC_ij/dA_ip = B_pj and
/// dL/dA_ip = sum_j dL/dC_ij B_pj = (dC B^T)_ip; dB follows the same way. The transposes are never
/// materialised: GEMM reads its operands transposed.
///
/// ## Shape
/// - matmul: [m, k] x [k, n] -> [m, n]
/// - linear: input [*, in], weight [out, in], bias [out] -> [*, out]
///
/// ```swift
/// let y = x.matmul(w)                                // [64, 784] x [784, 10] -> [64, 10]
/// let z = x.linear(weight: w, bias: b)               // PyTorch's F.linear: x w^T + b
/// ```
extension Tensor {
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(
            rank == 2 && other.rank == 2,
            "matmul: needs two 2-D tensors, got \(shapeText) and \(other.shapeText)")
        let (m, k, n) = (shape[0], shape[1], other.shape[1])
        precondition(
            other.shape[0] == k,
            "matmul: inner dimensions differ: \(shapeText) x \(other.shapeText) (\(k) vs \(other.shape[0]))")
        let a = data, b = other.data
        FLOPCount.recordProduct(
            m: m, n: n, k: k,
            needs: (requiresGrad, other.requiresGrad))
        var c = productBuffer(m * n)
        gemm(m: m, n: n, k: k, a: a, lda: Swift.max(k, 1), b: b, ldb: Swift.max(n, 1), c: &c, ldc: Swift.max(n, 1))
        return Tensor.result(shape: [m, n], data: c, inputs: [self, other], name: "MmBackward0") { gradient, needs in
            var da: [Float]? = nil, db: [Float]? = nil
            if needs[0] {  // dA = dC B^T: [m, n] x [n, k]
                var result = productBuffer(m * k)
                gemm(
                    transB: .transposed, m: m, n: k, k: n, a: gradient, lda: Swift.max(n, 1),
                    b: b, ldb: Swift.max(n, 1), c: &result, ldc: Swift.max(k, 1))
                da = result
            }
            if needs[1] {  // dB = A^T dC: [k, m] x [m, n]
                var result = productBuffer(k * n)
                gemm(
                    transA: .transposed, m: k, n: n, k: m, a: a, lda: Swift.max(k, 1),
                    b: gradient, ldb: Swift.max(n, 1), c: &result, ldc: Swift.max(n, 1))
                db = result
            }
            return [da, db]
        }
    }

    /// x W^T + b with W stored [out, in] as PyTorch's `nn.Linear` stores it (`F.linear`).
    ///
    /// It records the graph PyTorch records: `W.t()` (`TBackward0`), then `addmm(b, x, W^T)`
    /// (`AddmmBackward0`, whose inputs are the bias, x and W^T, in that order), or `mm(x, W^T)`
    /// (`MmBackward0`) without a bias; an input of more than two dimensions [*, in] is viewed as
    /// rows [-1, in] and the result viewed back as [*, out] (`UnsafeViewBackward0`).
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(
            rank >= 1 && weight.rank == 2,
            "linear: needs an input [*, in] and a 2-D weight, got input \(shapeText) and weight \(weight.shapeText)")
        let (inFeatures, outFeatures) = (weight.shape[1], weight.shape[0])
        precondition(
            shape.last == inFeatures,
            "linear: input \(shapeText) has \(shape.last ?? 0) features but weight \(weight.shapeText) expects \(inFeatures)"
        )
        if let bias {
            precondition(
                bias.shape == [outFeatures],
                "linear: bias \(bias.shapeText) does not match weight \(weight.shapeText) (expected [\(outFeatures)])")
        }
        guard rank == 2 else {
            let rows = rank == 1 ? self.reshaped(to: [1, inFeatures]) : self.reshaped(to: [-1, inFeatures])
            let leading = Array(shape.dropLast())
            return rows.linear(weight: weight, bias: bias).reshaped(
                to: leading + [outFeatures], name: "UnsafeViewBackward0")
        }
        return Tensor.linearProduct(self, weight: weight, transposedWeight: weight.lazilyTransposed(), bias: bias)
    }

    /// bias + x W^T, with the bias added to every row: PyTorch's `addmm(b, x, W.t())` as `F.linear`
    /// records it (`AddmmBackward0`, inputs b, x and W^T), or `mm(x, W.t())` (`MmBackward0`)
    /// without a bias. The products read W itself, transposed where needed, so W^T's values (the
    /// `TBackward0` node's output) are never needed as an array; the results are the same bits as
    /// with W^T copied out, since the GEMM packs the same values either way.
    ///
    ///     Y = b + X W^T:    db = column sums of dY,   dX = dY W,   d(W^T) = X^T dY
    static func linearProduct(_ x: Tensor, weight: Tensor, transposedWeight: Tensor, bias: Tensor?) -> Tensor {
        let (batch, inFeatures, outFeatures) = (x.shape[0], x.shape[1], weight.shape[0])
        // W's values now: a later change to W (an optimiser step) does not reach this backward pass.
        let xData = x.data, wData = weight.data
        FLOPCount.recordProduct(
            m: batch, n: outFeatures, k: inFeatures,
            needs: (x.requiresGrad, transposedWeight.requiresGrad))
        var y: [Float]
        if let bias {
            // Start every row from the bias, then add x W^T on top (beta = 1).
            y = [Float](repeating: 0, count: batch * outFeatures)
            for row in 0..<batch {
                y.replaceSubrange(row * outFeatures..<(row + 1) * outFeatures, with: bias.data)
            }
        } else {
            y = productBuffer(batch * outFeatures)
        }
        gemm(
            transB: .transposed, m: batch, n: outFeatures, k: inFeatures, a: xData, lda: Swift.max(inFeatures, 1),
            b: wData, ldb: Swift.max(inFeatures, 1), beta: bias == nil ? 0 : 1, c: &y, ldc: Swift.max(outFeatures, 1))
        let inputs = bias.map { [$0, x, transposedWeight] } ?? [x, transposedWeight]
        return Tensor.result(
            shape: [batch, outFeatures], data: y, inputs: inputs, name: bias == nil ? "MmBackward0" : "AddmmBackward0"
        ) { gradient, needs in
            // With a bias, the needs are (b, x, W^T); without, (x, W^T).
            let (needsBias, needsX, needsW) = bias == nil ? (false, needs[0], needs[1]) : (needs[0], needs[1], needs[2])
            var db: [Float]? = nil, dx: [Float]? = nil, dw: [Float]? = nil
            if needsBias {  // db = the column sums of dY
                db = columnSums(gradient, rows: batch, columns: outFeatures)
            }
            if needsX {  // dX = dY W: [batch, out] x [out, in]
                var result = productBuffer(batch * inFeatures)
                gemm(
                    m: batch, n: inFeatures, k: outFeatures, a: gradient, lda: Swift.max(outFeatures, 1), b: wData,
                    ldb: Swift.max(inFeatures, 1), c: &result, ldc: Swift.max(inFeatures, 1))
                dx = result
            }
            if needsW {  // d(W^T) = X^T dY: [in, batch] x [batch, out]
                var result = productBuffer(inFeatures * outFeatures)
                gemm(
                    transA: .transposed, m: inFeatures, n: outFeatures, k: batch, a: xData,
                    lda: Swift.max(inFeatures, 1), b: gradient, ldb: Swift.max(outFeatures, 1), c: &result,
                    ldc: Swift.max(outFeatures, 1))
                dw = result
            }
            return bias == nil ? [dx, dw] : [db, dx, dw]
        }
    }
}

/// A new array for a GEMM to write with beta = 0, which writes every value of C and reads none
/// (see `gemm`): it starts uninitialised, since clearing it first cost a pass over memory per
/// product (4.7 MB for `pytorch-example`'s fc1 weight gradient, every step).
func productBuffer(_ count: Int) -> [Float] {
    [Float](uninitializedCount: count) { _ in }
}

/// The sum of each column of a row-major [rows, columns] array, accumulated in Double.
func columnSums(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    var sums = [Double](repeating: 0, count: columns)
    values.withUnsafeBufferPointer { v in
        for row in 0..<rows {
            for column in 0..<columns { sums[column] += Double(v[row * columns + column]) }
        }
    }
    return sums.map { Float($0) }
}
