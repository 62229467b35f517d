#!/usr/bin/env python3
"""Writes ops.safetensors: what PyTorch computes for ops of the API issue, forward and backward.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 make_ops.py
For each case NAME: NAME.x (and NAME.y for two inputs), NAME.out, NAME.gout (the upstream gradient)
and NAME.gx (NAME.gy): the gradients of sum(out * gout). Safetensors is written by hand (an 8-byte
header length, a JSON header, then the raw little-endian F32 data), so nothing beyond torch is needed.
"""
import json
import struct

import torch

torch.manual_seed(7)
tensors = {}


def case(name, fn, *shapes, positive=False):
    xs = []
    for s in shapes:
        x = torch.rand(s) * 1.5 + 0.25 if positive else torch.randn(s)
        xs.append(x.requires_grad_())
    out = fn(*xs)
    gout = torch.randn(out.shape)
    (out * gout).sum().backward()
    tensors[f"{name}.x"] = xs[0]
    tensors[f"{name}.gx"] = xs[0].grad
    if len(xs) > 1:
        tensors[f"{name}.y"] = xs[1]
        tensors[f"{name}.gy"] = xs[1].grad
    tensors[f"{name}.out"] = out
    tensors[f"{name}.gout"] = gout


case("sin", torch.sin, (3, 5))
case("cos", torch.cos, (7,))
case("reciprocal", torch.reciprocal, (6,), positive=True)
case("rsqrt", torch.rsqrt, (6,), positive=True)
case("silu", torch.nn.functional.silu, (4, 3))
case("var1", lambda x: torch.var(x, dim=1), (4, 5))
case("std0_biased", lambda x: torch.std(x, dim=0, unbiased=False), (4, 5))
case("logsumexp1", lambda x: torch.logsumexp(x, dim=1), (3, 6))
case("dot", torch.dot, (7,), (7,))
case("vecmatmul", torch.matmul, (5,), (5,))
case("outer", torch.outer, (3,), (4,))
case("tril", lambda x: torch.tril(x, -1), (2, 4, 5))
case("triu", lambda x: torch.triu(x, 1), (4, 5))

header = {"__metadata__": {"made_by": "make_ops.py", "torch": torch.__version__}}
blobs = []
offset = 0
for name, t in tensors.items():
    data = t.detach().contiguous().float().numpy().tobytes()
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
head = json.dumps(header, separators=(",", ":")).encode()
head += b" " * ((8 - len(head) % 8) % 8)
with open("ops.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(head)))
    f.write(head)
    for b in blobs:
        f.write(b)
