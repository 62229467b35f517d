"""Writes a safetensors file by hand (an 8-byte header length, a JSON header, then the raw little-endian
data), so that the fixture scripts need nothing beyond torch, and records the cases of the op scripts. Float64 tensors are stored as F64, other float
tensors as F32, int64 as I64 and bool as BOOL."""
import json
import struct

import torch


def write(path, tensors, made_by):
    header = {"__metadata__": {"made_by": made_by, "torch": torch.__version__}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        dtype = {torch.int64: "I64", torch.bool: "BOOL", torch.float64: "F64"}.get(t.dtype, "F32")
        data = (t if dtype != "F32" else t.float()).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def inputs(shapes, positive=False):
    """Random inputs that require grad: normal, or uniform in [0.25, 1.75) for ops that need positive ones."""
    return [(torch.rand(s) * 1.5 + 0.25 if positive else torch.randn(s)).requires_grad_() for s in shapes]


def record(tensors, name, xs, out):
    """Stores a case NAME: its inputs (NAME.x, NAME.y, NAME.z), output, a random upstream gradient NAME.gout and the
    inputs' gradients of sum(out * gout) (NAME.gx, NAME.gy, NAME.gz)."""
    gout = torch.randn(out.shape)
    (out * gout).sum().backward()
    tensors[f"{name}.x"] = xs[0]
    tensors[f"{name}.gx"] = xs[0].grad
    for suffix, x in zip("yz", xs[1:]):
        tensors[f"{name}.{suffix}"] = x
        tensors[f"{name}.g{suffix}"] = x.grad
    tensors[f"{name}.out"] = out
    tensors[f"{name}.gout"] = gout
