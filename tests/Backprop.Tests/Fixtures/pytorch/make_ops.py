#!/usr/bin/env python3
"""Writes ops.safetensors: what PyTorch computes for ops of the API issue, forward and backward.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 make_ops.py
For each case NAME: NAME.x (and NAME.y for two inputs), NAME.out, NAME.gout (the upstream gradient)
and NAME.gx (NAME.gy): the gradients of sum(out * gout). Ops that take an index or a mask get it as
NAME.i (int64 or bool, passed last); ops that return (values, indices) store the indices as NAME.idx.
safetensors_writer.py (beside it) writes the file, with nothing beyond torch.
"""
import torch

import safetensors_writer

torch.manual_seed(7)
tensors = {}


def case(name, fn, *shapes, positive=False, extra=None):
    xs = safetensors_writer.inputs(shapes, positive)
    out = fn(*xs, extra) if extra is not None else fn(*xs)
    if extra is not None:
        tensors[f"{name}.i"] = extra
    if isinstance(out, tuple):
        out, tensors[f"{name}.idx"] = out
    safetensors_writer.record(tensors, name, xs, out)

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
case("gather", lambda x, i: torch.gather(x, 1, i), (3, 5), extra=torch.randint(0, 5, (3, 4)))
case("scatter", lambda x, y, i: x.scatter(1, i, y), (2, 5), (2, 3), extra=torch.stack([torch.randperm(5)[:3] for _ in range(2)]))
case("scatter_add", lambda x, y, i: x.scatter_add(1, i, y), (2, 5), (2, 4), extra=torch.randint(0, 5, (2, 4)))
case("index_add", lambda x, y, i: x.index_add(0, i, y), (4, 3), (5, 3), extra=torch.tensor([0, 3, 3, 1, 0]))
case("index_select", lambda x, i: torch.index_select(x, 0, i), (4, 3), extra=torch.tensor([3, 0, 3]))
case("where", lambda x, y, m: torch.where(m, x, y), (3, 4), (4,), extra=torch.rand(3, 4) > 0.5)
case("masked_fill", lambda x, m: x.masked_fill(m, -2.5), (3, 4), extra=torch.rand(1, 4) > 0.5)
case("masked_select", lambda x, m: torch.masked_select(x, m), (3, 4), extra=torch.rand(3, 4) > 0.5)
case("sort1_desc", lambda x: torch.sort(x, dim=1, descending=True), (3, 6))
case("topk2_dim0", lambda x: torch.topk(x, 2, dim=0), (5, 4))
case("max_dim1", lambda x: torch.max(x, dim=1), (4, 5))
case("log1p", torch.log1p, (5,), positive=True)
case("expm1", torch.expm1, (2, 3))
case("softplus", lambda x: torch.nn.functional.softplus(x * 8, beta=0.5, threshold=3), (3, 4))
case("elu", lambda x: torch.nn.functional.elu(x, alpha=0.7), (3, 4))
case("hardtanh", lambda x: torch.nn.functional.hardtanh(x, -0.5, 0.8), (3, 4))
case("pow_tensor", torch.pow, (3, 4), (4,), positive=True)
case("maximum", torch.maximum, (3, 4), (4,))
case("minimum", torch.minimum, (2, 1, 3), (4, 1))
case("expand", lambda x: x.expand(2, 3, 4), (3, 1))
case("repeat", lambda x: x.repeat(2, 1, 3), (2, 3))
case("flip", lambda x: torch.flip(x, [0, 2]), (2, 3, 4))
case("roll", lambda x: torch.roll(x, shifts=(1, -2), dims=(0, 1)), (3, 5))
case("pad_constant", lambda x: torch.nn.functional.pad(x, (1, 2, 0, 1), value=0.5), (2, 3, 4))
case("pad_reflect", lambda x: torch.nn.functional.pad(x, (2, 1), mode="reflect"), (2, 3, 4))
case("pad_replicate", lambda x: torch.nn.functional.pad(x, (2, 1, 1, 2), mode="replicate"), (1, 2, 3, 4))
case("pad_circular", lambda x: torch.nn.functional.pad(x, (2, 1), mode="circular"), (1, 2, 4))
case("sum_dims", lambda x: torch.sum(x, dim=(0, 2), keepdim=True), (2, 3, 4))
case("mean_dims", lambda x: torch.mean(x, dim=(1, 2)), (2, 3, 4))
case("norm2", lambda x: torch.linalg.vector_norm(x, 2, dim=1), (3, 4))
case("norm3", lambda x: torch.linalg.vector_norm(x, 3), (3, 4))
case("prod1", lambda x: torch.prod(x, dim=1), (3, 4))
case("cumsum", lambda x: torch.cumsum(x, dim=0), (4, 3))
case("einsum_attention", lambda x, y: torch.einsum("bhqd,bhkd->bhqk", x, y), (2, 2, 3, 4), (2, 2, 5, 4))
case("einsum_bilinear", lambda x, y: torch.einsum("bi,ij->bj", x, y), (3, 4), (4, 5))
case("einsum_trace_sum", lambda x: torch.einsum("ijk->j", x), (2, 3, 4))
case("index_ranges", lambda x: x[:, 1:3], (3, 5))
case("index_last", lambda x: x[-1], (3, 4, 2))
case("index_mixed", lambda x: x[0, 1:, -2:], (2, 4, 5))
case("slice_step", lambda x: x[1:, ::2], (4, 7))
case("slice_negative", lambda x: x[:, -5:-1:3], (2, 9))

F = torch.nn.functional
W5 = torch.linspace(0.5, 1.5, 5)
kl_target = F.softmax(torch.randn(3, 4), 1)
kl_target[0, 1] = 0
case("ce_weight_ignore", lambda x, i: F.cross_entropy(x, i, weight=W5), (4, 5), extra=torch.tensor([1, -100, 4, 0]))
case("ce_smooth_weight", lambda x, i: F.cross_entropy(x, i, weight=W5, ignore_index=2, label_smoothing=0.2), (6, 5), extra=torch.tensor([2, 0, 4, 2, 1, 3]))
case("ce_smooth_ignore", lambda x, i: F.cross_entropy(x, i, ignore_index=1, label_smoothing=0.3), (4, 5), extra=torch.tensor([1, 0, 4, 3]))
case("ce_pixels_sum", lambda x, i: F.cross_entropy(x, i, reduction="sum"), (2, 3, 4, 5), extra=torch.randint(0, 3, (2, 4, 5)))
case("ce_tokens_none", lambda x, i: F.cross_entropy(x, i, reduction="none"), (2, 4, 3), extra=torch.randint(0, 4, (2, 3)))
case("ce_probs", lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), (4, 5), extra=F.softmax(torch.randn(4, 5), 1))
case("nll_weight", lambda x, i: F.nll_loss(F.log_softmax(x, 1), i, weight=torch.linspace(1, 2, 3)), (5, 3), extra=torch.tensor([0, 2, 1, 1, 2]))
case("l1", F.l1_loss, (3, 4), (3, 4))
case("smooth_l1", lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), (3, 4), (3, 4))
case("bce", lambda x, t: F.binary_cross_entropy(torch.sigmoid(x), t), (3, 4), extra=torch.rand(3, 4))
case("kldiv_batchmean", lambda x, t: F.kl_div(F.log_softmax(x, 1), t, reduction="batchmean"), (3, 4), extra=kl_target)
case("kldiv_logtarget", lambda x, t: F.kl_div(F.log_softmax(x, 1), t, reduction="sum", log_target=True), (3, 4), extra=F.log_softmax(torch.randn(3, 4), 1))
case("var_dims", lambda x: torch.var(x, dim=(0, 2)), (2, 3, 4))
case("std_dims_biased", lambda x: torch.std(x, dim=(1, 2), unbiased=False, keepdim=True), (2, 3, 4))
case("logsumexp_dims", lambda x: torch.logsumexp(x * 3, dim=(0, 2)), (2, 3, 4))

safetensors_writer.write("ops.safetensors", tensors, "make_ops.py")
