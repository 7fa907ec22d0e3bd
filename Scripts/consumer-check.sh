#!/usr/bin/env bash
# Proves that another package can depend on Kindling by URL and version, as a user's would:
#   1. clones this checkout's committed HEAD into a temporary git repository and tags it 0.1.0;
#   2. writes a tiny package that declares `.package(url: "file://...", from: "0.1.0")`;
#   3. builds it in release with the documented CPU flag (`-Xswiftc -target-cpu -Xswiftc native`,
#      which reaches Kindling's code too) and runs it: a GEMM checked against the naive loop and
#      timed, and a small model trained until its loss falls.
# SwiftPM refuses unsafe build flags in a package fetched this way, so this fails if Kindling's
# manifest ever adds one where a dependent package would see it.
#
# Usage: bash Scripts/consumer-check.sh        (from anywhere; needs only git and swift)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/kindling-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT

git clone --quiet "$root" "$work/kindling"
git -C "$work/kindling" tag 0.1.0

mkdir -p "$work/consumer/Sources/app"
cat > "$work/consumer/Package.swift" <<MANIFEST
// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "consumer",
    dependencies: [.package(url: "file://$work/kindling", from: "0.1.0")],
    targets: [
        .executableTarget(name: "app", dependencies: [.product(name: "Kindling", package: "kindling")]),
    ]
)
MANIFEST

cat > "$work/consumer/Sources/app/main.swift" <<'SWIFT'
import Foundation
import Kindling

// 1. The packed GEMM against the naive triple loop, and its speed with the flags this build got.
var generator = SeededGenerator(seed: 1)
let a = Matrix.normal(rows: 512, columns: 512, using: &generator)
let b = Matrix.normal(rows: 512, columns: 512, using: &generator)
let fast = a.matmul(b, kernel: .packed)
let naive = a.matmul(b, kernel: .naive)
let worst = zip(fast.storage, naive.storage).map { abs($0 - $1) }.max() ?? .infinity
guard worst < 1e-3 else {
    print("consumer: the packed GEMM differs from the naive loop by \(worst)")
    exit(1)
}
let start = ContinuousClock.now
let runs = 10
for _ in 0..<runs { _ = a.matmul(b, kernel: .packed) }
let elapsed = start.duration(to: .now)
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
let gflops = Double(runs) * 2 * 512 * 512 * 512 / seconds / 1e9
print("consumer: packed GEMM 512^3 agrees with the naive loop (worst difference \(worst)), "
      + String(format: "%.1f GFLOP/s", gflops))

// 2. A small model from the zoo, trained on random inputs with fixed labels until it fits them.
manualSeed(1)
let model = MLP()
let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
let x = Tensor.randn([32, 1, 28, 28])
let labels = (0..<32).map { $0 % 10 }
var first: Float = 0, last: Float = 0
for step in 0..<50 {
    optimizer.zeroGrad()
    let loss = crossEntropy(model(x), labels: labels)
    loss.backward()
    optimizer.step()
    if step == 0 { first = loss.item }
    last = loss.item
}
guard last < first / 4 else {
    print("consumer: the MLP's loss did not fall (\(first) -> \(last))")
    exit(1)
}
print("consumer: MLP trained through Kindling as a versioned dependency, loss \(first) -> \(last)")
SWIFT

cd "$work/consumer"
echo "consumer-check: resolving Kindling 0.1.0 from file://$work/kindling"
swift package resolve
echo "consumer-check: swift build -c release -Xswiftc -target-cpu -Xswiftc native"
swift build -c release -Xswiftc -target-cpu -Xswiftc native
".build/release/app"
# Faster than the fmaf library calls that a build without the flag makes (about 1 GFLOP/s).
echo "consumer-check: passed"
