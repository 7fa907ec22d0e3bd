#!/usr/bin/env python3
"""Cross-checks Kindling's safetensors files against the reference `safetensors` package.

    safetensors_crosscheck.py read FILE EXPECTED.json   check FILE holds exactly the tensors in
                                                        EXPECTED.json ({name: {"shape", "values"}})
    safetensors_crosscheck.py write FILE                write the fixed tensors below to FILE

`swift test` runs both directions when python3 with `safetensors` and `numpy` is installed
(pip install safetensors numpy); it can also be run by hand. Exit status 0 means agreement.
"""
import json
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

# What `write` stores: the keys and layouts of a Linear(3, 2) layer as PyTorch names them, plus
# half- and double-precision tensors to exercise Kindling's conversions.
WRITTEN = {
    "fc.weight": np.array([[0.5, -1.25, 2.0], [3.0, 0.0, -0.125]], dtype=np.float32),
    "fc.bias": np.array([0.25, -4.0], dtype=np.float32),
    "half": np.array([1.5, -2.0, 65504.0], dtype=np.float16),
    "double": np.array([[1.0 / 3.0]], dtype=np.float64),
}


def read(path, expected_path):
    tensors = load_file(path)
    with open(expected_path) as f:
        expected = json.load(f)
    if set(tensors) != set(expected):
        sys.exit(f"keys differ: file {sorted(tensors)}, expected {sorted(expected)}")
    for name, spec in expected.items():
        tensor = tensors[name]
        if tensor.dtype != np.float32:
            sys.exit(f"{name}: dtype {tensor.dtype}, expected float32")
        if list(tensor.shape) != spec["shape"]:
            sys.exit(f"{name}: shape {list(tensor.shape)}, expected {spec['shape']}")
        values = np.array(spec["values"], dtype=np.float32).reshape(spec["shape"])
        if not np.array_equal(tensor, values):
            sys.exit(f"{name}: values differ")
    print(f"read {len(tensors)} tensors from {path}: keys, shapes and values agree")


def write(path):
    save_file(WRITTEN, path, metadata={"written_by": "safetensors_crosscheck.py"})
    print(f"wrote {len(WRITTEN)} tensors to {path}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "read":
        read(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        sys.exit(__doc__)
