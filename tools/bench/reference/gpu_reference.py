#!/usr/bin/env python3
"""PyTorch CUDA figures for the same work as gpu.ts: fp32 (TF32 off), MLP 784-512-512-512-10.

Prints one JSON object. Written for this benchmark; it shares no code with weightspace.
"""
import json
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda")


def timed(fn, reps):
    fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / reps


def mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10),
    ).to(dev)


def main():
    out = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0)}
    for n in (1024, 4096):
        a = torch.randn(n, n, device=dev)
        b = torch.randn(n, n, device=dev)
        out[f"matMul{n}Gflops"] = 2 * n**3 / timed(lambda: a @ b, 20) / 1e9
    model = mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(512, 784, device=dev)
    y = torch.arange(512, device=dev) % 10

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    s = timed(step, 100)
    out["trainStepMs"] = s * 1000
    out["trainSamplesPerSecond"] = 512 / s
    xt = torch.rand(10000, 784, device=dev)
    yt = torch.arange(10000, device=dev) % 10
    with torch.no_grad():
        out["forward10kMs"] = timed(lambda: model(xt), 20) * 1000
        a_params = [p.clone() for p in model.parameters()]
        other = mlp()
        b_params = [p.clone() for p in other.parameters()]

        def barrier():
            for k in range(25):
                t = k / 24
                for p, pa, pb in zip(model.parameters(), a_params, b_params):
                    p.copy_((1 - t) * pa + t * pb)
                logits = model(xt)
                float(torch.nn.functional.cross_entropy(logits, yt))
                float((logits.argmax(1) == yt).float().mean())

        out["barrier25x10kMs"] = timed(barrier, 3) * 1000
    print(json.dumps(out))


if __name__ == "__main__":
    main()
