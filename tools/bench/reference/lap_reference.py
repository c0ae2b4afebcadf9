#!/usr/bin/env python3
"""SciPy's linear_sum_assignment timed on request, for the assignment rows of the benchmark.

Reads one JSON request per line from stdin, {"file": path, "n": N, "runs": R} (a row-major
float64 N x N matrix), and answers each with one JSON line {"ms": median, "times": [...],
"total": optimal cost}: the median in milliseconds over R runs after one warm-up. Running as one
process lets the caller alternate its own timings with these, so both see the same machine load.
Written for this benchmark; it shares no code with weightspace.
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment


def answer(request):
    n = request["n"]
    cost = np.fromfile(request["file"], dtype=np.float64).reshape(n, n)
    linear_sum_assignment(cost)
    times = []
    for _ in range(request["runs"]):
        start = time.perf_counter()
        rows, cols = linear_sum_assignment(cost)
        times.append((time.perf_counter() - start) * 1000)
    return {"ms": float(np.median(times)), "times": times, "total": float(cost[rows, cols].sum())}


for line in sys.stdin:
    print(json.dumps(answer(json.loads(line))), flush=True)
