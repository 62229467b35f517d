#!/usr/bin/env python3
"""Writes views.json: the strides and storage offsets PyTorch gives chains of views, and which reshapes view.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 make_views.py
Each case starts from a contiguous tensor of "shape" and applies "ops" in order: ["slice", dim, start, end, step],
["select", dim, index], ["narrow", dim, start, length] or ["view", shape]. "stride" and "offset" are the last
result's stride() and storage_offset(), "values" its elements (the base holds 0, 1, 2, ...), and "viewable" false
marks a case whose final "view" PyTorch refuses (the strides cannot give the shape without a copy).
"""
import json
import random

import torch

random.seed(2026)
cases = []


def factorizations(n, parts):
    if parts == 1:
        return [[n]]
    out = []
    for d in range(1, n + 1):
        if n % d == 0:
            out += [[d] + rest for rest in factorizations(n // d, parts - 1)]
    return out


while len(cases) < 200:
    shape = [random.randint(1, 5) for _ in range(random.randint(1, 4))]
    t = torch.arange(float(torch.Size(shape).numel())).reshape(shape)
    ops = []
    for _ in range(random.randint(1, 3)):
        if t.dim() == 0:
            break
        dim = random.randrange(t.dim())
        n = t.shape[dim]
        kind = random.choice(["slice", "slice", "select", "narrow"] if n > 0 else ["slice", "narrow"])
        if kind == "slice":
            start = random.randint(-n, n)
            end = random.randint(-n, n + 1)
            step = random.randint(1, 3)
            t = t[(slice(None),) * dim + (slice(start, end, step),)]
            ops.append(["slice", dim, start, end, step])
        elif kind == "select":
            index = random.randint(-n, n - 1)
            t = t.select(dim, index)
            ops.append(["select", dim, index])
        else:
            start = random.randint(0, n)
            length = random.randint(0, n - start)
            t = t.narrow(dim, start, length)
            ops.append(["narrow", dim, start, length])
    viewable = True
    if t.numel() > 0 and random.random() < 0.9:
        target = random.choice(factorizations(t.numel(), random.randint(1, 3)))
        ops.append(["view", target])
        try:
            t = t.view(target)
        except RuntimeError:
            viewable = False
    case = {"shape": shape, "ops": ops, "viewable": viewable}
    if viewable:
        case.update(stride=list(t.stride()), offset=t.storage_offset(), values=t.flatten().tolist(), dims=list(t.shape))
    cases.append(case)

with open("views.json", "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(len(cases), "cases,", sum(not c["viewable"] for c in cases), "not viewable")
