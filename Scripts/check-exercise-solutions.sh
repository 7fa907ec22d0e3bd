#!/usr/bin/env bash
# Fills every exercise stub with the library's own implementation (Tests/ExercisesTests/Solutions),
# grades each with the real run, then puts the stubs back with `exercise reset --all --force`.
# It shows that a right answer passes and trains for real. Needs MNIST (--data or KINDLING_DATA)
# and a checkout whose Tutorials/Exercises holds the stubs (it refuses to overwrite your work).
#
#   bash Scripts/check-exercise-solutions.sh [ID ...]     (default: every exercise)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git diff --quiet -- Tutorials/Exercises; then
    echo "check-exercise-solutions: Tutorials/Exercises holds changes (your work?); commit or reset them first" >&2
    exit 1
fi
ids=("$@")
if [ ${#ids[@]} -eq 0 ]; then
    ids=($(ls Tests/ExercisesTests/Solutions | sed 's/-.*//'))
fi

cp Tests/ExercisesTests/Solutions/*.swift Tutorials/Exercises/
restore() {
    swift build -c release --product exercise >/dev/null
    .build/release/exercise reset --all --force >/dev/null
    swift build -c release --product exercise >/dev/null
    git diff --quiet -- Tutorials/Exercises && echo "check-exercise-solutions: the stubs are back"
}
trap restore EXIT

swift build -c release --product exercise
failed=0
for id in "${ids[@]}"; do
    start=$(date +%s)
    if ! .build/release/exercise check "$id"; then failed=$((failed + 1)); fi
    echo "($(($(date +%s) - start)) s)"
    echo
done
echo "check-exercise-solutions: $((${#ids[@]} - failed)) of ${#ids[@]} pass with the library's implementation"
[ "$failed" -eq 0 ]
