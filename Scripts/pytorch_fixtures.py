#!/usr/bin/env python3
"""Records what PyTorch computes, as fixtures for `swift test` (Tests/PyTorchFidelityTests/Fixtures).

Needs: pip install torch safetensors numpy. Run from the package root:

    python3 Scripts/pytorch_fixtures.py

For every model of the zoo (linear, mlp, convnet, cnn, pytorch-example, lenet) it records, from one
fixed batch: the logits, the loss, every parameter's gradient, and every parameter after three steps
of the model's own recipe (SGD, SGD with momentum, Adam, Adadelta with StepLR). For layers and losses
with non-trivial options it records outputs and input/weight gradients. It also records the autograd
graph PyTorch builds for the tutorials' losses, and writes PyTorch files (torch.save) for the `.pth`
reader: a state dict with float16, bfloat16, float64 and integer tensors, a transposed and a sliced
tensor, and a pickle that would call os.system.

Initial weights come from a formula both sides compute bit for bit (an integer hash scaled in
float32), so the fixtures need not store them; tensors larger than 4,096 values are recorded at
4,096 sampled positions (their indices stored beside them), which keeps every fixture small.
Dropout is off (eval mode) in the model fixtures: its random masks are the one thing the two
frameworks cannot share.
"""

import io
import json
import os
import pickle
import struct
import zipfile
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.numpy import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "PyTorchFidelityTests", "Fixtures")
SAMPLE = 4096
torch.set_num_threads(1)


def formula(count, salt, bound):
    """float32 values in [-bound, bound]: bound * (k / 1000), k = hash(i, salt) mod 2001 - 1000."""
    i = np.arange(count, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(salt) * np.uint64(40503)) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(2246822519)) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(16)
    k = (h % np.uint64(2001)).astype(np.int64) - 1000
    return (k.astype(np.float32) / np.float32(1000)) * np.float32(bound)


def initialise(model):
    """Every parameter from the formula: salt = its index in named_parameters, bound 1/sqrt(fan-in)."""
    with torch.no_grad():
        for salt, (name, p) in enumerate(model.named_parameters()):
            owner = dict(model.named_modules())[name.rsplit(".", 1)[0] if "." in name else ""]
            fan_in = owner.weight[0].numel()
            bound = np.float32(1) / np.sqrt(np.float32(fan_in))
            p.copy_(torch.from_numpy(formula(p.numel(), salt, bound).reshape(p.shape)))


def record(out, key, tensor):
    """Stores a tensor whole, or at 4,096 sampled positions with their indices."""
    values = tensor.detach().contiguous().reshape(-1).numpy().astype(np.float32)
    if values.size <= SAMPLE:
        out[key] = values.reshape(tensor.shape) if tensor.dim() > 0 else values.reshape(1)
        return
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    positions = np.sort(rng.choice(values.size, SAMPLE, replace=False))
    out[key + "@values"] = values[positions]
    out[key + "@indices"] = positions.astype(np.float32)  # exact: every index < 2^24


class SoftmaxClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return self.fc(torch.flatten(x, 1))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden1, self.hidden2, self.out = nn.Linear(784, 128), nn.Linear(128, 256), nn.Linear(256, 10)

    def forward(self, x):
        return self.out(F.relu(self.hidden2(F.relu(self.hidden1(torch.flatten(x, 1))))))


class MNISTConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 24, 3), nn.Conv2d(24, 48, 3)
        self.fc1, self.fc2 = nn.Linear(1200, 200), nn.Linear(200, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.log_softmax(self.fc2(F.relu(self.fc1(torch.flatten(x, 1)))), dim=1)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 64, 3, padding=1)
        self.fc1, self.fc2 = nn.Linear(3136, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class PyTorchExampleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
        self.dropout1, self.dropout2 = nn.Dropout(0.25), nn.Dropout(0.5)
        self.fc1, self.fc2 = nn.Linear(9216, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        x = self.dropout2(F.relu(self.fc1(torch.flatten(self.dropout1(x), 1))))
        return F.log_softmax(self.fc2(x), dim=1)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))))


# name: (model, input shape, loss, optimiser factory, steps the schedule after each step)
MODELS = {
    "linear": (SoftmaxClassifier, (4, 1, 28, 28), "cross_entropy", lambda p: torch.optim.Adam(p, lr=1e-3), None),
    "mlp": (MLP, (4, 1, 28, 28), "cross_entropy", lambda p: torch.optim.SGD(p, lr=1e-3), None),
    "convnet": (MNISTConvNet, (4, 1, 28, 28), "nll", lambda p: torch.optim.Adam(p, lr=1e-3), None),
    "cnn": (CNN, (4, 1, 28, 28), "cross_entropy", lambda p: torch.optim.Adam(p, lr=1e-3), None),
    "pytorch-example": (PyTorchExampleNet, (4, 1, 28, 28), "nll", lambda p: torch.optim.Adadelta(p, lr=1.0), 0.7),
    "lenet": (LeNet, (4, 3, 32, 32), "cross_entropy", lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9), None),
}


def model_fixture(name):
    make, shape, loss_name, make_optimizer, gamma = MODELS[name]
    model = make()
    initialise(model)
    model.eval()
    count = int(np.prod(shape))
    x = torch.from_numpy(formula(count, 1000, 1.0).reshape(shape))
    labels = torch.tensor([3, 1, 4, 1])
    loss_fn = F.cross_entropy if loss_name == "cross_entropy" else F.nll_loss
    out = {"input": x.numpy(), "labels": labels.numpy().astype(np.float32)}
    logits = model(x)
    loss = loss_fn(logits, labels)
    loss.backward()
    record(out, "logits", logits)
    out["loss"] = np.array([loss.item()], dtype=np.float32)
    for key, p in model.named_parameters():
        record(out, "grad." + key, p.grad)
    optimizer = make_optimizer(model.parameters())
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=gamma) if gamma else None
    for _ in range(3):
        optimizer.zero_grad()
        loss_fn(model(x), labels).backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
    for key, p in model.named_parameters():
        record(out, "after3." + key, p)
    save_file(out, os.path.join(OUT, f"model-{name}.safetensors"), metadata={"loss": loss_name})


def layer_fixtures():
    out = {}
    salt = 2000

    def tensor(*shape):
        nonlocal salt
        salt += 1
        return torch.from_numpy(formula(int(np.prod(shape)), salt, 1.0).reshape(shape)).requires_grad_(True)

    conv_cases = [  # name, input, out channels, kernel, stride, padding, bias
        ("conv-rect-stride", (2, 3, 7, 6), 4, (3, 2), (2, 1), (1, 0), True),
        ("conv-pad", (1, 1, 5, 5), 2, (3, 3), (1, 1), (1, 1), True),
        ("conv-big-stride", (2, 2, 9, 8), 3, (5, 5), (2, 2), (2, 2), True),
        ("conv-no-bias", (1, 3, 6, 6), 2, (2, 2), (1, 1), (0, 0), False),
    ]
    for name, shape, oc, kernel, stride, padding, has_bias in conv_cases:
        x, w = tensor(*shape), tensor(oc, shape[1], *kernel)
        b = tensor(oc) if has_bias else None
        y = F.conv2d(x, w, b, stride=stride, padding=padding)
        g = tensor(*y.shape).detach()
        (y * g).sum().backward()
        out.update({f"{name}.input": x.detach().numpy(), f"{name}.weight": w.detach().numpy(),
                    f"{name}.output": y.detach().numpy(), f"{name}.upstream": g.numpy(),
                    f"{name}.grad_input": x.grad.numpy(), f"{name}.grad_weight": w.grad.numpy()})
        if b is not None:
            out[f"{name}.bias"], out[f"{name}.grad_bias"] = b.detach().numpy(), b.grad.numpy()
    pool_cases = [  # name, function, input, kernel, stride
        ("maxpool-2", F.max_pool2d, (2, 3, 6, 6), (2, 2), (2, 2)),
        ("maxpool-overlap", F.max_pool2d, (1, 2, 7, 7), (3, 3), (2, 2)),
        ("maxpool-rect", F.max_pool2d, (1, 1, 6, 9), (2, 3), (1, 2)),
        ("avgpool-2", F.avg_pool2d, (2, 3, 6, 6), (2, 2), (2, 2)),
        ("avgpool-overlap", F.avg_pool2d, (1, 2, 7, 7), (3, 3), (2, 2)),
    ]
    for name, function, shape, kernel, stride in pool_cases:
        x = tensor(*shape)
        y = function(x, kernel, stride)
        g = tensor(*y.shape).detach()
        (y * g).sum().backward()
        out.update({f"{name}.input": x.detach().numpy(), f"{name}.output": y.detach().numpy(),
                    f"{name}.upstream": g.numpy(), f"{name}.grad_input": x.grad.numpy()})
    for reduction in ["mean", "sum"]:
        for name, function in [("cross_entropy", F.cross_entropy), ("nll", F.nll_loss)]:
            logits = tensor(5, 7)
            inputs = F.log_softmax(logits, 1) if name == "nll" else logits
            labels = torch.tensor([0, 6, 3, 3, 1])
            loss = function(inputs, labels, reduction=reduction)
            loss.backward()
            key = f"{name}-{reduction}"
            out.update({f"{key}.input": logits.detach().numpy(), f"{key}.labels": labels.numpy().astype(np.float32),
                        f"{key}.output": np.array([loss.item()], dtype=np.float32),
                        f"{key}.grad_input": logits.grad.numpy()})
    dropout = nn.Dropout(0.5).eval()
    x = tensor(3, 4)
    y = dropout(x)
    g = tensor(3, 4).detach()
    (y * g).sum().backward()
    out.update({"dropout-eval.input": x.detach().numpy(), "dropout-eval.output": y.detach().numpy(),
                "dropout-eval.upstream": g.numpy(), "dropout-eval.grad_input": x.grad.numpy()})
    linear = nn.Linear(4, 3)
    initialise(linear)
    x = tensor(2, 5, 4)
    y = linear(x)
    g = tensor(2, 5, 3).detach()
    (y * g).sum().backward()
    out.update({"linear-3d.input": x.detach().numpy(), "linear-3d.weight": linear.weight.detach().numpy(),
                "linear-3d.bias": linear.bias.detach().numpy(), "linear-3d.output": y.detach().numpy(),
                "linear-3d.upstream": g.numpy(), "linear-3d.grad_input": x.grad.numpy(),
                "linear-3d.grad_weight": linear.weight.grad.numpy(), "linear-3d.grad_bias": linear.bias.grad.numpy()})
    save_file(out, os.path.join(OUT, "layers.safetensors"))


def graph(fn):
    """The autograd graph below fn as nested [name, index, children], None for a constant."""
    def walk(node):
        if node is None:
            return None
        name = type(node).__name__
        return [name, [[walk(child), index] for child, index in node.next_functions]]
    return walk(fn)


def graph_fixtures():
    graphs = {}
    x = torch.from_numpy(formula(8 * 784, 1000, 1.0).reshape(8, 1, 28, 28))
    labels = torch.arange(8) % 10
    for name in ["linear", "mlp", "convnet", "pytorch-example"]:
        model = MODELS[name][0]()
        model.train()
        output = model(x)
        loss = F.cross_entropy(output, labels) if MODELS[name][2] == "cross_entropy" else F.nll_loss(output, labels)
        graphs[name] = graph(loss.grad_fn)
    w = torch.ones(4, 3, requires_grad=True)
    graphs["mean-dim"] = graph((w * 2).mean(dim=1).grad_fn)
    with open(os.path.join(OUT, "graphs.json"), "w") as f:
        json.dump(graphs, f, indent=1)


def pth_fixtures():
    torch.manual_seed(0)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8
    state = {
        "float": torch.linspace(-1, 1, 5),
        "transposed": base.t(),  # strides (1, 6)
        "sliced": base[1:3, 2:5],  # an offset into a bigger storage
        "half": torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16),
        "bfloat": torch.tensor([1.5, -3.0], dtype=torch.bfloat16),
        "double": torch.tensor([[1e-3, 2.5]], dtype=torch.float64),
        "num_batches_tracked": torch.tensor(1234, dtype=torch.int64),
        "int32": torch.tensor([-7, 9], dtype=torch.int32),
        "mask": torch.tensor([True, False, True]),
        "empty": torch.zeros(0, 3),
    }
    torch.save(state, os.path.join(OUT, "dtypes.pth"))
    expected = {key: value.to(torch.float64).reshape(-1).tolist() for key, value in state.items()}
    shapes = {key: list(value.shape) for key, value in state.items()}
    with open(os.path.join(OUT, "dtypes.json"), "w") as f:
        json.dump({"values": expected, "shapes": shapes}, f)

    # A zip laid out as torch.save's whose pickle would call os.system("touch ...") on load.
    class Evil:
        def __reduce__(self):
            return (os.system, ("touch /tmp/kindling-pwned",))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("evil/data.pkl", pickle.dumps({"w": Evil()}, protocol=2))
        archive.writestr("evil/byteorder", "little")
        archive.writestr("evil/version", "3\n")
    with open(os.path.join(OUT, "evil.pth"), "wb") as f:
        f.write(buffer.getvalue())


def trained_convnet(data_directory):
    """One epoch of convnet in PyTorch (Adam, batch 200, inputs normalised 0.5/0.5), saved with
    torch.save as `mnist test --weights` reads it, with PyTorch's own Test set line."""
    import gzip

    def idx(name):
        path = os.path.join(data_directory, "mnist", name)
        raw = gzip.open(path + ".gz").read() if os.path.exists(path + ".gz") else open(path, "rb").read()
        dims = struct.unpack(">" + "I" * raw[3], raw[4:4 + 4 * raw[3]])
        return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * raw[3]).reshape(dims)

    def images(name):
        return (torch.from_numpy(idx(name).astype(np.float32) / 255).unsqueeze(1) - 0.5) / 0.5

    train_x, train_y = images("train-images-idx3-ubyte"), torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
    test_x, test_y = images("t10k-images-idx3-ubyte"), torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))
    torch.manual_seed(1)
    model = MNISTConvNet()
    optimizer = torch.optim.Adam(model.parameters())
    order = torch.randperm(60000)
    model.train()
    for start in range(0, 60000, 200):
        batch = order[start:start + 200]
        optimizer.zero_grad()
        F.nll_loss(model(train_x[batch]), train_y[batch]).backward()
        optimizer.step()
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, 10000, 1000):
            output = model(test_x[start:start + 1000])
            loss += F.nll_loss(output, test_y[start:start + 1000], reduction="sum").item()
            correct += (output.argmax(1) == test_y[start:start + 1000]).sum().item()
    line = f"Test set: Average loss: {loss / 10000:.4f}, Accuracy: {correct}/10000 ({100 * correct / 10000:.2f}%)"
    # The first 1,000 test images alone, for a test that runs in seconds in a debug build.
    with torch.no_grad():
        output = model(test_x[:1000])
        first_loss = F.nll_loss(output, test_y[:1000], reduction="sum").item()
        first_correct = (output.argmax(1) == test_y[:1000]).sum().item()
    first_line = f"Test set: Average loss: {first_loss / 1000:.4f}, Accuracy: {first_correct}/1000 ({100 * first_correct / 1000:.2f}%)"
    torch.save(model.state_dict(), os.path.join(OUT, "convnet-trained.pth"))
    with open(os.path.join(OUT, "convnet-trained.json"), "w") as f:
        json.dump({"line": line, "correct": correct, "first1000_line": first_line, "first1000_correct": first_correct}, f)
    print(line)
    print(first_line)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for model_name in MODELS:
        model_fixture(model_name)
    layer_fixtures()
    graph_fixtures()
    pth_fixtures()
    data = os.environ.get("KINDLING_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    if os.path.isdir(os.path.join(data, "mnist")):
        trained_convnet(data)
    print("wrote", sorted(os.listdir(OUT)), "torch", torch.__version__)
