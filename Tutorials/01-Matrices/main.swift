// Tutorial 01: matrices, and why a tiled SIMD kernel beats the triple loop.
//
// Every neural network in this project, from the 784 -> 10 softmax regression to the two-layer
// convolutional network, spends almost all of its time in one operation: the matrix product. A
// Linear layer is X * W^T; a convolution, once its input patches are laid out as rows ("im2col"),
// is a matrix product too. So before any learning happens we look at that one operation closely:
// what it computes, how a computer can compute it slowly, and how it can compute it fast.
//
// Run it with:   swift run -c release tutorial01
// (Release matters: a debug build does not optimise the kernels at all.)

import ExerciseSupport
import Foundation
import Kindling
import ProgramSupport

print(
    """
    Tutorial 01: matrices and the matrix product
    =============================================

    """)

// MARK: - 1. A matrix is a grid of numbers stored as one long row

// `Matrix` keeps its values in one array, row after row ("row-major" order). Element (i, j) of a
// matrix with `columns` columns is at index i * columns + j. Remember this: the whole speed story
// below is about which of those indices the processor reads one after the other.
let a = Matrix([
    [1, 2, 3],
    [4, 5, 6],
])
let b = Matrix([
    [7, 8],
    [9, 10],
    [11, 12],
])
print("A is \(a.shapeText):\n\(a)\n")
print("B is \(b.shapeText):\n\(b)\n")
print("In memory, A is one array, row after row: \(a.storage)")
print("so A[1, 2] is storage[1 * \(a.columns) + 2] = \(a.storage[1 * a.columns + 2])\n")

// MARK: - 2. What the product computes

// C = A * B has C[i, j] = sum over p of A[i, p] * B[p, j]: row i of A against column j of B.
// A is m x k, B is k x n, C is m x n; it takes m * n * k multiply-adds, 2mnk floating-point
// operations (FLOPs). Timings below are quoted in GFLOP/s: billions of those per second.
let c = a.matmul(b)
print("C = A * B is \(c.shapeText):\n\(c)")
let firstEntry: Float = 1 * 7 + 2 * 9 + 3 * 11
print("C[0, 0] = 1*7 + 2*9 + 3*11 = \(firstEntry), as printed.\n")

// MARK: - 3. Three ways to compute it

// Kindling's `gemm` ("general matrix multiply", the BLAS name) has three implementations that
// compute exactly this sum. They differ only in the order of work and in how much hardware they use.
print(
    """
    Three kernels compute the same product:

    1. naive:    for i, for j, for p: sum += A[i, p] * B[p, j]
                 One multiply-add at a time. Each step waits for the previous one to finish
                 adding into `sum` (a dependency chain ~4 cycles long), and reading B[p, j] for
                 p = 0, 1, 2 ... jumps a whole row of B in memory each step, so almost every read
                 misses the cache once the matrices are large.

    2. packed:   the BLIS recipe, on one core.
                 - Cache blocking: work on blocks of A and B small enough to stay in the L1/L2
                   caches while they are reused, instead of streaming the whole matrices: six
                   rows of A are reused from the nearest caches while the panels of B stream past, and C is written
                   a row strip at a time, in the order the memory prefetcher expects.
                 - Packing: copy each block into a buffer in exactly the order it will be read,
                   so every read is the next address.
                 - SIMD: one instruction works on 8 floats at once (SIMD8<Float>: one 256-bit AVX
                   register on x86-64, two 128-bit NEON registers on arm64).
                 - FMA: one instruction computes a * b + c (fused multiply-add), for 8 lanes.
                 - Register tiling: a 6x16 block of C is kept in 12 AVX registers and updated
                   by 12 independent FMAs per step, so the processor never waits on one sum.

    3. parallel: the packed kernel with C split into bands of rows, handed out to the cores.
                 In a large product the cores share each packed block of B (each packs a share
                 of its panels), so B is copied once, not once per core, and there are up to
                 four bands per core: a core slowed by another program takes fewer of them.

    """)

// A quick look at one SIMD FMA: eight multiply-adds in one instruction.
let x: SIMD8<Float> = [1, 2, 3, 4, 5, 6, 7, 8]
let w = SIMD8<Float>(repeating: 0.5)
let accumulator = SIMD8<Float>(repeating: 10)
print("One FMA on 8 lanes: 10 + 0.5 * [1...8] = \((0..<8).map { accumulator.addingProduct(x, w)[$0] })\n")

// MARK: - 4. They agree

// Floating-point addition is not associative: (a + b) + c can differ from a + (b + c) in the last
// bit. The fast kernels add the k terms in a different order than the naive loop, so "agree" means
// equal up to rounding: here, within 1e-4 of the largest entry.
let size = 512
var rng = SeededGenerator(seed: 2024)
let left = Matrix.uniform(rows: size, columns: size, in: -1..<1, using: &rng)
let right = Matrix.uniform(rows: size, columns: size, in: -1..<1, using: &rng)

var products: [GEMMKernel: Matrix] = [:]
for kernel in GEMMKernel.allCases {
    products[kernel] = left.matmul(right, kernel: kernel)
}
let reference = products[.naive]!
let largest = reference.storage.map(abs).max()!
for kernel in [GEMMKernel.packed, .parallel] {
    let difference = zip(products[kernel]!.storage, reference.storage).map { abs($0 - $1) }.max()!
    print(
        "\(kernel) vs naive at \(size)x\(size): largest difference \(difference) "
            + "(largest entry \(largest.formatted4)): \(difference <= 1e-4 * largest ? "agree" : "DISAGREE")")
}
print("")

// MARK: - 5. How fast each one is

// Each kernel runs a few times and the fastest run counts. The naive loop runs once: it is slow.
let flops = 2 * Double(size) * Double(size) * Double(size)
print("Timing C = A * B at \(size)x\(size)x\(size) (\(Int(flops / 1e6)) MFLOP):")
var gflops: [GEMMKernel: Double] = [:]
for kernel in GEMMKernel.allCases {
    let seconds = Stopwatch.bestTime(
        minimumSeconds: kernel == .naive ? 0 : 0.5,
        minimumRuns: kernel == .naive ? 1 : 3
    ) {
        _ = left.matmul(right, kernel: kernel)
    }
    gflops[kernel] = flops / seconds / 1e9
    let name = "\(kernel)".padding(toLength: 9, withPad: " ", startingAt: 0)
    print(
        "  \(name) \(String(format: "%8.2f", seconds * 1000)) ms  \(String(format: "%7.1f", gflops[kernel]!)) GFLOP/s")
}
let threads = Parallelism.threadCount

// MARK: - 6. Against the machine's ceiling
//
// How good is that? The ceiling is what the core can do at all: measured here with a loop of
// nothing but fused multiply-adds, the instruction the packed kernel's inner loop issues, on the
// build's widest vectors (SIMD8; SIMD16 in an AVX-512 build, see Package.swift), twelve
// independent ones at a time so none waits for another.

let peakOne = FMAPeak.measure(threads: 1), peakAll = FMAPeak.measure(threads: threads)
print(
    """

    packed is \(Int(gflops[.packed]! / gflops[.naive]!))x the naive loop on one core; \
    parallel uses \(threads) core\(threads == 1 ? "" : "s") for \
    \(String(format: "%.1f", gflops[.parallel]! / gflops[.packed]!))x more.

    This CPU's widest vectors: \(FMAPeak.widestVectors ?? "unknown"). Measured ceiling of the SIMD\(FMAPeak.lanes)
    fused multiply-add: \(String(format: "%.1f", peakOne)) GFLOP/s on one core, \
    \(String(format: "%.1f", peakAll)) on \(threads). So:
      naive     \(String(format: "%5.1f", 100 * gflops[.naive]! / peakOne))% of one core's ceiling
      packed    \(String(format: "%5.1f", 100 * gflops[.packed]! / peakOne))% of one core's ceiling
      parallel  \(String(format: "%5.1f", 100 * gflops[.parallel]! / peakAll))% of \(threads) cores' ceiling
    The naive loop waits on memory and on its own running sum; the packed kernel keeps twelve
    \(FMAPeak.lanes)-lane sums in registers and streams packed panels through the cache. No single trick gives it:
    SIMD without blocking starves on memory, blocking without SIMD leaves \(FMAPeak.lanes - 1) of every \(FMAPeak.lanes) lanes idle.
    Every later tutorial runs on the parallel kernel. (`swift run -c release benchmarks gemm` shows
    the same at the shapes the networks use.)
    """)

// MARK: - 7. Your turn
//
// The naive product and a cache-blocked one, written by you (Tutorials/Exercises/1.1 and 1.2,
// graded by `exercise check`, which then times yours against the kernels above).

print("")
print(ExerciseCatalogue.announcement(tutorial: 1))
