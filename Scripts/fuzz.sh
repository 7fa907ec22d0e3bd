#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser with libFuzzer and AddressSanitizer.
#
#   Scripts/fuzz.sh TARGET [SECONDS]      TARGET: inflate, idx, safetensors, cifar10, image, checkpoint, arguments, pth
#
# Builds fuzz-TARGET with -sanitize=fuzzer,address into .build-fuzz, makes the seed corpus with the
# target's own deterministic build (`fuzz-TARGET --write-seeds DIR`: valid files from the
# project's writers), then fuzzes for SECONDS (default 600) with a memory limit, so that an input
# making the parser allocate without bound is reported like a crash. Findings land in
# .fuzz-findings/TARGET; the corpus grows in .fuzz-corpus/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Scripts/fuzz.sh TARGET [SECONDS]}
seconds=${2:-600}
corpus=.fuzz-corpus/$target
findings=.fuzz-findings/$target
mkdir -p "$corpus" "$findings"

swift build -c release --product "fuzz-$target" >/dev/null
".build/release/fuzz-$target" --write-seeds "$corpus"
swift build -c release --product "fuzz-$target" --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 | grep -v "Cannot export local symbol" || true

".build-fuzz/release/fuzz-$target" "$corpus" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
    -artifact_prefix="$findings/" -print_final_stats=1
