#!/usr/bin/env python3
"""Reference timings for the weightspace benchmark: the same work in PyTorch + SciPy.

Reads one JSON job from argv[1] and prints one JSON result. Jobs:
  {"task": "weight-matching", "a": path, "b": path, "runs": R, "max_iter": 100, "seed": 0}
  {"task": "train-pair", "mnist": dir, "epochs": E, "batch": 512, "hidden": [...], "seeds": [0, 1]}
  {"task": "barrier", "mnist": dir, "a": path, "b": path, "points": 25}
  {"task": "train-gpt-pair", "text": path, "windows": W, "batch": 32, "gpt": {...}, "seeds": [0, 1]}
  {"task": "train-vit-pair", "images": path, "labels": path, "batch": 128, "vit": {...}, "seeds": [0, 1]}
  {"task": "spec-weight-matching", "a": path, "b": path, "spec": path, "runs": R, "max_iter": 100, "orders": [[group, ...], ...]}
Timings are medians in milliseconds over R runs after one warm-up, with the thread count fixed
by the caller (torch.set_num_threads). Written for this benchmark; it shares no code with
weightspace.
"""
import json
import resource
import struct
import sys
import time

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment


def median_ms(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times)), [float(x) for x in times]


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    start = 8 + n
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", entry["dtype"]
        b, e = entry["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[start + b : start + e], dtype=np.float32).reshape(entry["shape"]).copy())
    return out


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    (magic,) = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data[4 + 4 * dims :], dtype=np.uint8).reshape(shape)


def mnist(directory):
    x_train = torch.from_numpy(read_idx(directory + "/train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    y_train = torch.from_numpy(read_idx(directory + "/train-labels-idx1-ubyte").astype(np.int64))
    x_test = torch.from_numpy(read_idx(directory + "/t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    y_test = torch.from_numpy(read_idx(directory + "/t10k-labels-idx1-ubyte").astype(np.int64))
    return x_train, y_train, x_test, y_test


def mlp_layers(params):
    count = 0
    while f"layers.{count}.weight" in params:
        count += 1
    return count


def weight_matching(params_a, params_b, max_iter, seed):
    """Git Re-Basin weight matching for an MLP state dict, written out for the MLP's spec."""
    layers = mlp_layers(params_a)
    sizes = [params_a[f"layers.{i}.weight"].shape[0] for i in range(layers - 1)]
    perms = [torch.arange(n) for n in sizes]
    rng = np.random.default_rng(seed)

    def permuted_b(i, skip_out=False, skip_in=False):
        w = params_b[f"layers.{i}.weight"]
        if i < layers - 1 and not skip_out:
            w = w[perms[i], :]
        if i > 0 and not skip_in:
            w = w[:, perms[i - 1]]
        return w

    for _ in range(max_iter):
        progress = False
        for p in rng.permutation(len(sizes)):
            wa, wb = params_a[f"layers.{p}.weight"], permuted_b(p, skip_out=True)
            cost = wa @ wb.T + torch.outer(params_a[f"layers.{p}.bias"], params_b[f"layers.{p}.bias"])
            wa2, wb2 = params_a[f"layers.{p + 1}.weight"], permuted_b(p + 1, skip_in=True)
            cost = cost + wa2.T @ wb2
            cost = cost.numpy()
            _, cols = linear_sum_assignment(cost, maximize=True)
            old = cost[np.arange(len(cols)), perms[p].numpy()].sum()
            new = cost[np.arange(len(cols)), cols].sum()
            if new > old + 1e-12:
                progress = True
                perms[p] = torch.from_numpy(cols)
        if not progress:
            break
    objective = 0.0
    for i in range(layers):
        objective += float((params_a[f"layers.{i}.weight"] * permuted_b(i)).sum())
        bias = params_b[f"layers.{i}.bias"]
        if i < layers - 1:
            bias = bias[perms[i]]
        objective += float((params_a[f"layers.{i}.bias"] * bias).sum())
    return perms, objective


def wm(job):
    a, b = read_safetensors(job["a"]), read_safetensors(job["b"])
    ms, times = median_ms(lambda: weight_matching(a, b, job["max_iter"], job["seed"]), job["runs"])
    _, objective = weight_matching(a, b, job["max_iter"], job["seed"])
    return {"ms": ms, "times": times, "objective": objective}


def spec_transform(x, param, spec, element, skip_axis=-1):
    """x with every axis but skip_axis moved by the element (new = M old along the axis)."""
    for axis, actions in enumerate(spec["axes"][param]):
        if axis == skip_axis:
            continue
        for action in actions or []:
            value = element[action["group"]]
            if value.ndim == 1:
                x = np.take(x, value, axis=axis)
            else:
                # An orthogonal M acts alike on output and input sides: M^-T = M.
                x = np.moveaxis(np.tensordot(value.astype(np.float32), x, axes=([1], [axis])), 0, axis)
    return x


def spec_weight_matching(a, b, spec, max_iter, orders):
    """Weight matching generic over a symmetry spec (groups and per-axis actions as JSON) with
    permutation, block-permutation (one entry per block) and orthogonal groups: coordinate
    descent over the groups; a permutation by linear assignment on
    C[i, j] = sum over its (param, axis) of <A's unit i, B's unit j> (B's other axes moved),
    an orthogonal group by Procrustes (O = U V^T for C = U S V^T). Sweep k visits the groups in
    orders[k] (the caller's, so both implementations take the same steps); the first sweep solves
    the orthogonal groups first, from the parameters no other group acts on; it stops after a
    sweep that improves no group."""
    groups = spec["groups"]
    for name, g in groups.items():
        assert g["kind"] in ("permutation", "block-permutation", "orthogonal") and "batchedOver" not in g, name
    where = {name: [] for name in groups}
    for param, axes in spec["axes"].items():
        for axis, actions in enumerate(axes):
            for action in actions or []:
                assert "segment" not in action
                where[action["group"]].append((param, axis))
    element = {n: (np.eye(g["size"]) if g["kind"] == "orthogonal" else np.arange(g["size"])) for n, g in groups.items()}

    def alone(group):
        params = {p for p, _ in where[group]}
        return {p for p in params if all(a["group"] == group for acts in spec["axes"][p] for a in acts or [])}

    def score(cost, value):
        return float((cost * value).sum()) if value.ndim == 2 else float(cost[np.arange(len(value)), value].sum())

    sweeps = 0
    for sweep in range(max_iter):
        sweeps = sweep + 1
        progress = False
        order = orders[sweep]
        if sweep == 0:
            order = [g for g in order if groups[g]["kind"] == "orthogonal"] + [g for g in order if groups[g]["kind"] != "orthogonal"]
        for group in order:
            n = groups[group]["size"]
            only = alone(group) if sweep == 0 and groups[group]["kind"] == "orthogonal" else None
            cost = np.zeros((n, n), dtype=np.float64)
            for param, axis in where[group]:
                if only and param not in only:
                    continue
                moved = spec_transform(b[param], param, spec, element, axis)
                cost += (np.moveaxis(a[param], axis, 0).reshape(n, -1) @ np.moveaxis(moved, axis, 0).reshape(n, -1).T)
            if groups[group]["kind"] == "orthogonal":
                u, _, vt = np.linalg.svd(cost)
                new, tolerance = u @ vt, 1e-12
            else:
                new, tolerance = linear_sum_assignment(cost, maximize=True)[1], 1e-9
            before, after = score(cost, element[group]), score(cost, new)
            if after > before + max(1e-12, tolerance * abs(before)):
                element[group] = new
                progress = True
        if not progress:
            break
    objective = sum(float((a[p].astype(np.float64) * spec_transform(b[p], p, spec, element)).sum()) for p in spec["axes"])
    return objective, sweeps


def spec_wm(job):
    a = {k: v.numpy() for k, v in read_safetensors(job["a"]).items()}
    b = {k: v.numpy() for k, v in read_safetensors(job["b"]).items()}
    with open(job["spec"]) as f:
        spec = json.load(f)
    run = lambda: spec_weight_matching(a, b, spec, job["max_iter"], job["orders"])
    ms, times = median_ms(run, job["runs"])
    objective, sweeps = run()
    return {"ms": ms, "times": times, "objective": objective, "sweeps": sweeps}


def make_mlp(hidden):
    widths = [784] + hidden + [10]
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def train_pair(job):
    x, y, _, _ = mnist(job["mnist"])
    ms = train_models(lambda: make_mlp(job["hidden"]), x, y, job["seeds"], job["batch"], job["epochs"])
    samples = len(x) * job["epochs"] * len(job["seeds"])
    return {"ms": ms, "samples_per_second": samples / (ms / 1000)}


def to_sequential(params, hidden):
    model = make_mlp(hidden)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for i, lin in enumerate(linears):
        lin.weight.data = params[f"layers.{i}.weight"]
        lin.bias.data = params[f"layers.{i}.bias"]
    return model


def barrier(job):
    _, _, x, y = mnist(job["mnist"])
    a, b = read_safetensors(job["a"]), read_safetensors(job["b"])
    hidden = [a[f"layers.{i}.weight"].shape[0] for i in range(mlp_layers(a) - 1)]

    def run():
        curve = []
        with torch.no_grad():
            for k in range(job["points"]):
                t = k / (job["points"] - 1)
                mixed = {n: (1 - t) * a[n] + t * b[n] for n in a}
                model = to_sequential(mixed, hidden)
                logits = torch.cat([model(x[s : s + 2000]) for s in range(0, len(x), 2000)])
                loss = float(torch.nn.functional.cross_entropy(logits, y))
                acc = float((logits.argmax(1) == y).float().mean())
                curve.append((t, loss, acc))
        return curve

    ms, times = median_ms(run, job.get("runs", 1))
    return {"ms": ms, "times": times, "curve": run()}


class Block(torch.nn.Module):
    """A pre-norm transformer block: norm, fused q/k/v attention (causal for a decoder), output
    projection; norm, MLP with GELU. The GPT's and the ViT's blocks alike."""

    def __init__(self, dim, heads, mlp, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.norm1, self.norm2 = torch.nn.LayerNorm(dim), torch.nn.LayerNorm(dim)
        self.qkv, self.proj = torch.nn.Linear(dim, 3 * dim), torch.nn.Linear(dim, dim)
        self.fc1, self.fc2 = torch.nn.Linear(dim, mlp), torch.nn.Linear(mlp, dim)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) * (c // self.heads) ** -0.5
        if self.causal:
            scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        x = x + self.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, c))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm2(x))))


class Gpt(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = torch.nn.Embedding(c["vocabulary"], c["dim"])
        self.wpe = torch.nn.Embedding(c["context"], c["dim"])
        self.h = torch.nn.ModuleList(Block(c["dim"], c["heads"], c["mlpWidth"], True) for _ in range(c["depth"]))
        self.ln_f = torch.nn.LayerNorm(c["dim"])
        self.lm_head = torch.nn.Linear(c["dim"], c["vocabulary"], bias=False)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def train_models(make_model, x, y, seeds, batch, epochs=1):
    """Milliseconds to train one model per seed, one after the other, for `epochs` shuffled passes
    over (x, y) with Adam 1e-3; the logits' last axis holds the classes (one row per position for
    a language model)."""
    t = time.perf_counter()
    for seed in seeds:
        torch.manual_seed(seed)
        model = make_model()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for _ in range(epochs):
            order = torch.randperm(len(x))
            for s in range(0, len(x), batch):
                idx = order[s : s + batch]
                opt.zero_grad()
                logits = model(x[idx])
                loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[idx].reshape(-1))
                loss.backward()
                opt.step()
    return (time.perf_counter() - t) * 1000


def train_gpt_pair(job):
    """Two character GPTs, one after the other, one pass over the first `windows` training windows."""
    with open(job["text"], encoding="utf-8") as f:
        text = f.read()
    vocabulary = sorted(set(text))
    codes = {ch: k for k, ch in enumerate(vocabulary)}
    ids = torch.tensor([codes[ch] for ch in text[: int(len(text) * 0.9)]], dtype=torch.long)
    c = job["gpt"]
    t_ = c["context"]
    starts = torch.arange(job["windows"]) * t_
    x = torch.stack([ids[s : s + t_] for s in starts])
    y = torch.stack([ids[s + 1 : s + t_ + 1] for s in starts])
    ms = train_models(lambda: Gpt(c), x, y, job["seeds"], job["batch"])
    tokens = job["windows"] * t_ * len(job["seeds"])
    return {"ms": ms, "tokens_per_second": tokens / (ms / 1000)}


class Vit(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        side = c["input"][0] // c["patch"]
        self.patch = torch.nn.Conv2d(c["input"][2], c["dim"], c["patch"], c["patch"])
        self.cls = torch.nn.Parameter(torch.randn(1, 1, c["dim"]) * 0.02)
        self.pos = torch.nn.Parameter(torch.randn(1, side * side + 1, c["dim"]) * 0.02)
        self.blocks = torch.nn.Sequential(*[Block(c["dim"], c["heads"], c["mlpWidth"], False) for _ in range(c["depth"])])
        self.norm = torch.nn.LayerNorm(c["dim"])
        self.head = torch.nn.Linear(c["dim"], c["classes"])

    def forward(self, images):
        x = self.patch(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        return self.head(self.norm(self.blocks(x))[:, 0])


def train_vit_pair(job):
    """Two ViTs, one after the other, one pass over the given images (float32 NHWC) and labels (int32)."""
    c = job["vit"]
    h, w, ch = c["input"]
    x = torch.from_numpy(np.fromfile(job["images"], dtype=np.float32).reshape(-1, h, w, ch)).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(np.fromfile(job["labels"], dtype=np.int32).astype(np.int64))
    ms = train_models(lambda: Vit(c), x, y, job["seeds"], job["batch"])
    return {"ms": ms, "samples_per_second": len(x) * len(job["seeds"]) / (ms / 1000)}


class MoeMlp(torch.nn.Module):
    """weightspace's moe-mlp: dense (ReLU) → MoE layer (softmax gate, dense or top-k with ties to the
    lower index, one-hidden-layer ReLU experts, shared experts) → dense; every expert computed."""

    def __init__(self, c):
        super().__init__()
        self.first = torch.nn.Linear(c["input"], c["width"])
        self.gate = torch.nn.Linear(c["width"], c["experts"])
        expert = lambda: torch.nn.Sequential(
            torch.nn.Linear(c["width"], c["expertWidth"]), torch.nn.ReLU(), torch.nn.Linear(c["expertWidth"], c["width"])
        )
        self.experts = torch.nn.ModuleList([expert() for _ in range(c["experts"])])
        self.shared = torch.nn.ModuleList([expert() for _ in range(c.get("sharedExperts", 0))])
        self.head = torch.nn.Linear(c["width"], c["classes"])
        self.top_k = c.get("topK")

    def forward(self, x):
        t = torch.relu(self.first(x.flatten(1)))
        scores = self.gate(t)
        if self.top_k is not None and self.top_k < scores.shape[1]:
            n = scores.shape[1]
            lower = torch.tril(torch.ones(n, n), diagonal=-1)
            si, sj = scores.detach().unsqueeze(2), scores.detach().unsqueeze(1)
            beats = (sj > si).float() + (sj == si).float() * lower
            scores = scores.masked_fill(beats.sum(2) >= self.top_k, float("-inf"))
        weights = torch.softmax(scores, dim=1)
        y = sum(weights[:, k : k + 1] * e(t) for k, e in enumerate(self.experts))
        for e in self.shared:
            y = y + e(t)
        return self.head(y)


def train_moe_pair(job):
    """Two moe-mlps, one after the other, one pass over the given images (float32) and labels (int32)."""
    c = job["moe"]
    x = torch.from_numpy(np.fromfile(job["images"], dtype=np.float32).reshape(-1, c["input"]))
    y = torch.from_numpy(np.fromfile(job["labels"], dtype=np.int32).astype(np.int64))
    ms = train_models(lambda: MoeMlp(c), x, y, job["seeds"], job["batch"])
    return {"ms": ms, "samples_per_second": len(x) * len(job["seeds"]) / (ms / 1000)}


def moe_matching(job):
    """Tran et al.'s two-stage matching of two moe-mlps (per-expert tensors) in NumPy/SciPy: the expert
    order by one assignment on the centred gate rows and biases, then each expert pair's hidden
    units by one assignment (fc1 rows and bias, fc2 columns). Returns the median time and the
    orders found."""
    a, b = ({k: v.numpy() for k, v in read_safetensors(job[f]).items()} for f in ("a", "b"))
    n = a["moe.gate.weight"].shape[0]

    def run():
        gate = lambda p: np.concatenate([p["moe.gate.weight"], p["moe.gate.bias"][:, None]], axis=1)
        ga, gb = gate(a), gate(b)
        ga, gb = ga - ga.mean(0), gb - gb.mean(0)
        cost = ((ga[:, None, :] - gb[None, :, :]) ** 2).sum(2)
        _, order = linear_sum_assignment(cost)
        hidden = [None] * n
        for i, j in enumerate(order):
            e = lambda p, k, s: p[f"moe.experts.{k}.{s}"]
            sim = (
                e(a, i, "fc1.weight") @ e(b, j, "fc1.weight").T
                + np.outer(e(a, i, "fc1.bias"), e(b, j, "fc1.bias"))
                + e(a, i, "fc2.weight").T @ e(b, j, "fc2.weight")
            )
            hidden[j] = linear_sum_assignment(sim, maximize=True)[1].tolist()
        return order.tolist(), hidden

    found = run()
    ms, times = median_ms(run, job["runs"])
    return {"ms": ms, "times": times, "order": found[0], "hidden": found[1]}


def main():
    job = json.loads(sys.argv[1])
    torch.set_num_threads(job.get("threads", 2))
    task = {
        "weight-matching": wm,
        "train-pair": train_pair,
        "barrier": barrier,
        "train-gpt-pair": train_gpt_pair,
        "train-vit-pair": train_vit_pair,
        "spec-weight-matching": spec_wm,
        "train-moe-pair": train_moe_pair,
        "moe-matching": moe_matching,
    }[
        job["task"]
    ]
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "result": task(job)}
    # The process's peak resident memory (Linux reports kilobytes), the model and the data included.
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
