#!/usr/bin/env bash
# Runs the release programs on hostile files and flags, as an attacker or a careless user would,
# and checks what the README's "Hostile files" section promises for every one: the program exits
# by itself with status 1 or 2 (no crash, no hang: within 60 s), prints its error as one line naming
# the file or option and the reason, stays within 400 MB of memory, and writes or removes nothing
# outside the paths it was given (a device, a link and a user's folder are left as they were).
#
# Usage: bash Scripts/hostile-check.sh      (after `swift build -c release`; needs the real MNIST
#        through KINDLING_DATA or ../shared/data, and python3 to make some of the files)
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.build/release
data="${KINDLING_DATA:-$(cd .. && pwd)/shared/data}"
[ -d "$data/mnist" ] || { echo "hostile-check: needs MNIST in \$KINDLING_DATA/mnist or ../shared/data/mnist"; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/kindling-hostile.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
checks=0

# check NAME EXPECTED-TEXT COMMAND...: runs COMMAND and checks exit status 1 or 2, one line on
# standard error containing EXPECTED-TEXT, at most 400 MB and 60 s.
check() {
    local name="$1" expected="$2"
    shift 2
    checks=$((checks + 1))
    /usr/bin/time -f "%M %e" -o "$work/time" timeout 60 "$@" >"$work/out" 2>"$work/err" </dev/null
    local status=$?
    local memory seconds lines
    memory=$(tail -n 1 "$work/time" | cut -d' ' -f1)
    seconds=$(tail -n 1 "$work/time" | cut -d' ' -f2)
    lines=$(grep -cv '^downloading' "$work/err")
    local problem=""
    if [ "$status" -ne 1 ] && [ "$status" -ne 2 ]; then problem="exit status $status"; fi
    if [ "$lines" -ne 1 ]; then problem="$problem; $lines lines on standard error"; fi
    if ! grep -qF -- "$expected" "$work/err"; then problem="$problem; no '$expected' in the message"; fi
    if [ "${memory:-0}" -gt 409600 ]; then problem="$problem; $((memory / 1024)) MB of memory"; fi
    if [ -n "$problem" ]; then
        failures=$((failures + 1))
        echo "FAIL $name: ${problem#; }"
        sed 's/^/    stderr: /' "$work/err" | head -n 5
    else
        printf 'ok   %-58s %4d MB %5.1f s  %s\n' "$name" $((memory / 1024)) "$seconds" "$(grep -v '^downloading' "$work/err" | cut -c1-90)"
    fi
}

# A checkpoint to tamper with: one quick epoch of the linear model.
"$bin/mnist" train --model linear --epochs 1 --limit 600 --data "$data" --checkpoint "$work/run" >/dev/null 2>&1
state="$work/run/epoch-1/state.json"
cp -R "$work/run" "$work/pristine"
reset_run() { rm -rf "$work/run"; cp -R "$work/pristine" "$work/run"; }
resume=("$bin/mnist" train --model linear --epochs 2 --limit 600 --data "$data" --checkpoint "$work/run" --resume)

echo "== tampered checkpoints"
sed -i 's/"epoch" : 1/"epoch" : 9223372036854775807/' "$state"
check "state.json epoch 2^63-1" "is not the folder's epoch 1" "${resume[@]}"
reset_run; sed -i 's/"epoch" : 1/"epoch" : -3/' "$state"
check "state.json negative epoch" "is not the folder's epoch 1" "${resume[@]}"
reset_run; python3 - "$state" <<'PY'
import json, sys
state = json.load(open(sys.argv[1])); state["loss_history"] = [[1e300, 0.5]]; json.dump(state, open(sys.argv[1], "w"))
PY
check "state.json history [[1e300, 0.5]]" "is out of range" "${resume[@]}"
reset_run; printf '../pristine/epoch-1' >"$work/run/latest"
check "latest pointing outside the directory" "not an epoch-N folder of this directory" "${resume[@]}"
reset_run; rm "$work/run/latest"
check "--resume with epoch folders but no latest" "but no 'latest' file" "${resume[@]}"
reset_run; python3 - "$state" <<'PY'
import json, sys
state = json.load(open(sys.argv[1])); state["loss_history"] = [[1, 0.5]] * 300_000; json.dump(state, open(sys.argv[1], "w"))
PY
check "a 3 MB state.json (Foundation's JSON takes 70x)" "a checkpoint's state.json is at most 2097152 bytes" "${resume[@]}"
reset_run; python3 - "$state" <<'PY'
import json, sys
state = json.load(open(sys.argv[1])); state["generators"]["default"] = ["0", "0", "0", "0"]; json.dump(state, open(sys.argv[1], "w"))
PY
check "an all-zero generator state" "has an all-zero state" "${resume[@]}"
reset_run
check "another model's checkpoints without --resume" "add --resume to continue" \
    "$bin/mnist" train --model mlp --epochs 1 --limit 600 --data "$data" --checkpoint "$work/run"
[ -f "$work/run/epoch-1/model.safetensors" ] || { echo "FAIL the other model's checkpoint was removed"; failures=$((failures + 1)); }

echo "== absurd flags"
check "--batch-size 2^63-1" "--batch-size takes a whole number from 1 to 1048576" \
    "$bin/mnist" train --batch-size 9223372036854775807 --data "$data"
check "--lr -1" "--lr takes a number at least 0.0" "$bin/mnist" train --lr -1 --data "$data"
check "--momentum -1" "--momentum takes a number at least 0.0" "$bin/mnist" train --momentum -1 --data "$data"
check "an option given twice" "--epochs is given more than once" "$bin/mnist" train --epochs 1 --epochs 2
check "an empty --checkpoint" "--checkpoint needs a value, got ''" "$bin/mnist" train --checkpoint ""
check "predict --count 10^9" "--count takes a whole number from 1 to 1000" \
    "$bin/mnist" predict --model linear --weights x --count 1000000000
check "img --count 10^9" "--count takes a whole number from 1 to 1000" "$bin/mnist" img --count 1000000000

echo "== outputs checked before training"
check "--save into a missing folder" "does not exist" \
    "$bin/mnist" train --model linear --data "$data" --save "$work/missing/w.safetensors"
check "--plot into a missing folder" "does not exist" \
    "$bin/mnist" train --model linear --data "$data" --plot "$work/missing/p.svg"
check "--save onto a directory" "it is a directory, not a file" \
    "$bin/mnist" train --model linear --data "$data" --save "$work"
touch "$work/a-file"
check "--checkpoint that is a file" "it is a file, not a folder" \
    "$bin/mnist" train --model linear --epochs 1 --limit 600 --data "$data" --checkpoint "$work/a-file"
if mknod "$work/null" c 1 3 2>/dev/null; then
    check "img --output onto a device" "it is a device, not a file" "$bin/mnist" img --data "$data" --output "$work/null"
    [ -c "$work/null" ] || { echo "FAIL the device was replaced"; failures=$((failures + 1)); }
fi
echo keep >"$work/target"
ln -s "$work/target" "$work/link"
check "img --output onto a symbolic link" "it is a symbolic link" "$bin/mnist" img --data "$data" --output "$work/link"
[ "$(cat "$work/target")" = keep ] && [ -L "$work/link" ] || { echo "FAIL the link or its target changed"; failures=$((failures + 1)); }

echo "== weights that are not weights"
"$bin/mnist" train --model linear --epochs 1 --limit 600 --data "$data" --save "$work/linear.safetensors" >/dev/null 2>&1
test_weights=("$bin/mnist" test --model linear --data "$data" --weights)
check "a directory as --weights" "it is a directory, not a file" "${test_weights[@]}" "$work"
mkfifo "$work/fifo"
check "a FIFO as --weights" "it is a pipe (FIFO), not a file" "${test_weights[@]}" "$work/fifo"
check "/dev/zero as --weights" "it is a device, not a file" "${test_weights[@]}" /dev/zero
truncate -s 2G "$work/sparse"
check "a 2 GB sparse file as --weights" "a weights file for this SoftmaxClassifier is at most" "${test_weights[@]}" "$work/sparse"
check "weights of another model" "holds weights of 'linear' (its metadata), not of this MLP" \
    "$bin/mnist" test --model mlp --data "$data" --weights "$work/linear.safetensors"
python3 - "$work" <<'PY'
import json, struct, sys
folder = sys.argv[1]
def write(name, header, data=b""):
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    open(f"{folder}/{name}", "wb").write(struct.pack("<Q", len(text)) + text + data)
# 1.65 million zero-size tensors: a 99 MB header.
write("many.safetensors", {f"t{i}": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]} for i in range(1_650_000)})
# NaN weights of the right shape for `linear`.
nan = struct.pack("<f", float("nan"))
write("nan.safetensors", {"fc.weight": {"dtype": "F32", "shape": [10, 784], "data_offsets": [0, 31360]},
                          "fc.bias": {"dtype": "F32", "shape": [10], "data_offsets": [31360, 31400]}}, nan * 7850)
# A tensor name with terminal escape codes.
write("escape.safetensors", {"fc\x1b[2J.weight": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4)
PY
check "a 99 MB header of 1.65 M zero-size tensors" "a weights file for this SoftmaxClassifier is at most" "${test_weights[@]}" "$work/many.safetensors"
check "NaN weights" "NaN or infinite values in fc.weight, fc.bias" "${test_weights[@]}" "$work/nan.safetensors"
check "a tensor name with escape codes" 'fc\u{1B}[2J.weight' "${test_weights[@]}" "$work/escape.safetensors"
if grep -q $'\x1b' "$work/err"; then echo "FAIL an escape code reached the terminal"; failures=$((failures + 1)); fi

echo "== PyTorch files (.pth) built to break the reader"
python3 - "$work" <<'PY'
import struct, sys, zipfile
folder = sys.argv[1]
def s(text):
    b = text.encode()
    return b"X" + struct.pack("<I", len(b)) + b
def i(value):
    return b"\x8a\x08" + struct.pack("<q", value)
def tup(items):
    return b"(" + b"".join(items) + b"t"
def g(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"
def tensor(key, offset, shape, strides, count):
    pid = tup([s("storage"), g("torch", "FloatStorage"), s(key), s("cpu"), i(count)]) + b"Q"
    return g("torch._utils", "_rebuild_tensor_v2") + tup(
        [pid, i(offset), tup([i(x) for x in shape]), tup([i(x) for x in strides]), b"\x89",
         g("collections", "OrderedDict") + b")R"]) + b"R"
def state(entries):
    return b"\x80\x02}(" + b"".join(s(k) + v for k, v in entries) + b"u."
def make(name, pickle, storages, deflate=False):
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(f"{folder}/{name}", "w", method) as z:
        z.writestr("archive/data.pkl", pickle)
        z.writestr("archive/byteorder", b"little")
        for key, data in storages.items():
            z.writestr("archive/data/" + key, data)
make("overflow.pth", state([("fc.weight", tensor("0", 1 << 62, [3], [1 << 61], (1 << 63) - 1))]), {"0": b"\0" * 4})
make("expand.pth", state([("fc.weight", tensor("0", 0, [100000, 10000], [0, 0], 1))]), {"0": b"\0" * 4})
make("deep.pth", b"\x80\x02]" + b"\x85" * 10_000_000 + b".", {}, deflate=True)
make("storage-bomb.pth", state([("fc.weight", tensor("0", 0, [10], [1], 10))]), {"0": b"\0" * (300 << 20)}, deflate=True)
make("key-escape.pth", state([("fc.weight", tensor("x\n\x1b[2J", 0, [1], [1], 1))]), {})
make("duplicate.pth", state([("fc.bias", tensor("0", 0, [10], [1], 10)), ("fc.bias", tensor("0", 0, [10], [1], 10))]),
     {"0": b"\0" * 40})
make("many.pth", state([(f"t{k}", tensor(str(k), 0, [1], [1], 1)) for k in range(40000)]),
     {str(k): b"\0" * 4 for k in range(40000)})
PY
check "a tensor whose offset and strides overflow" "reaches past its storage" "${test_weights[@]}" "$work/overflow.pth"
check "a 4-byte storage expanded to 10^9 values" "holds more than" "${test_weights[@]}" "$work/expand.pth"
check "a pickle nested 10 million deep" "nested more than 64 deep" "${test_weights[@]}" "$work/deep.pth"
check "a 300 MB deflated storage declared as 10 values" "more than the 40 allowed" "${test_weights[@]}" "$work/storage-bomb.pth"
check "a storage key with escape codes" 'x\u{A}\u{1B}[2J' "${test_weights[@]}" "$work/key-escape.pth"
check "a state dict naming a tensor twice" "appears twice" "${test_weights[@]}" "$work/duplicate.pth"
check "40,000 tensors in 40,000 zip entries" "and 39990 more" "${test_weights[@]}" "$work/many.pth"

echo "== images to classify"
predict=("$bin/mnist" predict --model linear --data "$data" --weights "$work/linear.safetensors" --image)
check "a 2 GB sparse file as --image" "an image to classify is at most" "${predict[@]}" "$work/sparse"
printf 'P5\n16384 16384\n255\n' >"$work/big.pgm"
truncate -s 268435500 "$work/big.pgm"
check "a 16384x16384 PGM (sparse)" "an image to classify is at most" "${predict[@]}" "$work/big.pgm"
printf 'P5\n16384 16384\n255\n' >"$work/header.pgm"
check "a PGM header of 16384x16384" "is more than 16 megapixels" "${predict[@]}" "$work/header.pgm"
python3 - "$work" <<'PY'
import struct, sys, zlib
folder = sys.argv[1]
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
row = b"\0" + b"\0" * (16384 * 4)
compressor = zlib.compressobj(9)
data = b"".join(compressor.compress(row) for _ in range(16384)) + compressor.flush()
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16384, 16384, 8, 6, 0, 0, 0))
open(f"{folder}/big.png", "wb").write(png + chunk(b"IDAT", data) + chunk(b"IEND", b""))
blank = b"\0" + b"\xff" * 64
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0))
open(f"{folder}/blank.png", "wb").write(png + chunk(b"IDAT", zlib.compress(blank * 64)) + chunk(b"IEND", b""))
PY
check "a 1 MB RGBA PNG of 16384x16384" "is more than 16 megapixels" "${predict[@]}" "$work/big.png"
check "a blank image" "blank.png: the picture has no ink" "${predict[@]}" "$work/blank.png"

echo "== datasets"
mkdir -p "$work/bomb/mnist"
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-labels-idx1-ubyte; do
    cp "$data/mnist/$name"* "$work/bomb/mnist/"
done
python3 - "$work/bomb/mnist/t10k-images-idx3-ubyte.gz" <<'PY'
import gzip, sys
with gzip.open(sys.argv[1], "wb", compresslevel=9) as f:
    chunk = b"\0" * (1 << 20)
    for _ in range(600):
        f.write(chunk)
PY
check "a 600 MB gzip bomb as t10k-images" "at most 7840016 bytes" \
    "$bin/mnist" test --model linear --weights "$work/linear.safetensors" --data "$work/bomb"
rm "$work/bomb/mnist/train-images-idx3-ubyte"*
cp "$work/bomb/mnist/t10k-images-idx3-ubyte.gz" "$work/bomb/mnist/train-images-idx3-ubyte.gz"
check "gzip bombs in both training and test images" "at most 47040016 bytes" \
    "$bin/mnist" train --model linear --data "$work/bomb"
mkdir -p "$work/sparse-data/mnist" "$work/sparse-data/cifar-10-batches-bin"
cp "$data/mnist/"* "$work/sparse-data/mnist/"
rm -f "$work/sparse-data/mnist/t10k-images-idx3-ubyte"*
truncate -s 1G "$work/sparse-data/mnist/t10k-images-idx3-ubyte"
check "a 1 GB sparse IDX file" "an IDX file here is at most 7840016 bytes" \
    "$bin/mnist" test --model linear --weights "$work/linear.safetensors" --data "$work/sparse-data"
truncate -s 1G "$work/sparse-data/cifar-10-batches-bin/data_batch_1.bin"
check "a 1 GB sparse CIFAR-10 batch" "a CIFAR-10 batch is at most 30730000 bytes" \
    "$bin/cifar10" train --epochs 1 --data "$work/sparse-data"
mkdir -p "$work/empty/mnist"
python3 - "$work/empty/mnist" <<'PY'
import struct, sys
open(f"{sys.argv[1]}/t10k-images-idx3-ubyte", "wb").write(struct.pack(">BBBBIII", 0, 0, 8, 3, 0, 28, 28))
open(f"{sys.argv[1]}/t10k-labels-idx1-ubyte", "wb").write(struct.pack(">BBBBI", 0, 0, 8, 1, 0))
PY
check "predict on a test set of 0 images" "holds no images" \
    "$bin/mnist" predict --model linear --weights "$work/linear.safetensors" --data "$work/empty"
check "--data naming a file" "the data directory is a file, not a folder" "$bin/mnist" img --data "$work/a-file"
check "offline download (no MNIST in the data directory)" "are you offline?" "$bin/mnist" img --data "$work/nothing-here"
[ -e "$work/nothing-here" ] && { echo "FAIL the offline download created the data directory"; failures=$((failures + 1)); }

# A full disk while a checkpoint is written, on a 256 KB file system (needs root to mount it).
mkdir -p "$work/tiny"
if mount -t tmpfs -o size=256k tmpfs "$work/tiny" 2>/dev/null; then
    check "a full disk while writing a checkpoint" "no space left on device" \
        "$bin/mnist" train --model mlp --epochs 1 --limit 600 --data "$data" --checkpoint "$work/tiny/run"
    [ -z "$(ls -A "$work/tiny/run")" ] || { echo "FAIL a partial checkpoint was left: $(ls -A "$work/tiny/run")"; failures=$((failures + 1)); }
    umount "$work/tiny"
fi

echo "== extreme losses draw"
checks=$((checks + 1))
if timeout 60 "$bin/tutorial02" --lr 1e30 --epochs 1 --data "$data" >/dev/null 2>"$work/err"; then
    echo "ok   tutorial02 --lr 1e30 finishes and draws its chart"
else
    echo "FAIL tutorial02 --lr 1e30: $(head -n 3 "$work/err")"
    failures=$((failures + 1))
fi

echo "hostile-check: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
