#!/usr/bin/env python3
"""Writes ops64.safetensors: what PyTorch computes in float64 for the ops that have a float64 path.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 make_ops64.py
The same scheme as make_ops.py, stored as F64: for each case NAME, NAME.x (and NAME.y), NAME.out, the upstream
gradient NAME.gout and the gradients NAME.gx (NAME.gy) of sum(out * gout). New cases go at the end. Options that
Backprop takes as float (label smoothing, a loss's beta) are exact in float (0.125, 0.5), so that float64 can agree to
1e-10.
"""
import torch
import torch.nn.functional as F

import safetensors_writer

torch.manual_seed(64)
torch.set_default_dtype(torch.float64)
tensors = {}


def case(name, fn, *shapes, positive=False):
    xs = safetensors_writer.inputs(shapes, positive)
    safetensors_writer.record(tensors, name, xs, fn(*xs))

case("add", lambda x, y: x + y, (3, 4), (4,))
case("sub", lambda x, y: x - y, (2, 1, 3), (4, 1))
case("mul", lambda x, y: x * y, (3, 1), (1, 5))
case("div", lambda x, y: x / y, (2, 3), (3,), positive=True)
case("scalars", lambda x: (x * 0.3 + 1.7) / 2.5 - 0.1, (6,))
case("exp", torch.exp, (5,))
case("log", torch.log, (5,), positive=True)
case("sqrt", torch.sqrt, (5,), positive=True)
case("rsqrt", torch.rsqrt, (5,), positive=True)
case("reciprocal", torch.reciprocal, (5,), positive=True)
case("sin", torch.sin, (6,))
case("cos", torch.cos, (6,))
case("tanh", torch.tanh, (3, 3))
case("sigmoid", torch.sigmoid, (3, 3))
case("silu", F.silu, (7,))
case("relu", torch.relu, (8,))
case("abs", torch.abs, (8,))
case("pow3", lambda x: x ** 3, (6,))
case("clamp", lambda x: torch.clamp(x, -0.5, 0.7), (9,))
case("sum1", lambda x: x.sum(1), (3, 4))
case("mean_dims", lambda x: x.mean((0, 2), keepdim=True), (2, 3, 4))
case("var1", lambda x: torch.var(x, 1), (3, 5))
case("norm_dims", lambda x: torch.linalg.vector_norm(x, 2, dim=(1, 2)), (2, 3, 4))
case("softmax1", lambda x: torch.softmax(x, 1), (3, 4))
case("log_softmax0", lambda x: torch.log_softmax(x, 0), (3, 4))
case("matmul", lambda x, y: x @ y, (3, 4), (4, 2))
case("matmul_batched", lambda x, y: x @ y, (2, 1, 3, 4), (3, 4, 2))
case("dot", lambda x, y: x @ y, (5,), (5,))
case("linear", lambda x, w: F.linear(x, w), (2, 3, 4), (5, 4))
case("mse", lambda x, y: F.mse_loss(x, y), (4, 3), (4, 3))
case("smooth_l1", lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), (4, 3), (4, 3))
case("cross_entropy", lambda x: F.cross_entropy(x, torch.tensor([2, 0, 3, 1, 3]), label_smoothing=0.125), (5, 4))
case("cross_entropy_weight", lambda x: F.cross_entropy(x, torch.tensor([2, 0, 3, 1, 3]), weight=torch.tensor([0.5, 1.0, 2.0, 1.5]), ignore_index=3), (5, 4))
case("cat_narrow", lambda x, y: torch.cat([x.narrow(1, 1, 2), y.flip(0)], 1), (3, 4), (3, 2))
case("where", lambda x, y: torch.where(x > 0, x, y), (3, 4), (4,))

# Added with the float64 paths of the activations, reductions, layer ops and losses.
case("gelu", F.gelu, (8,))
case("erf", torch.erf, (8,))
case("leaky_relu", lambda x: F.leaky_relu(x, 0.125), (8,))
case("elu", lambda x: F.elu(x, 0.75), (8,))
case("softplus", lambda x: F.softplus(x, 2.0, 1.0), (8,))
case("log1p", torch.log1p, (6,), positive=True)
case("expm1", torch.expm1, (6,))
case("maximum", torch.maximum, (3, 4), (4,))
case("max_dim", lambda x: x.max(1).values, (3, 5))
case("sort", lambda x: x.sort(1, descending=True).values, (3, 5))
case("topk", lambda x: x.topk(2, 0).values, (4, 3))
case("cumsum", lambda x: x.cumsum(1), (3, 4))
case("prod", lambda x: x.prod(0), (3, 4))
case("layer_norm", lambda x, w, b: F.layer_norm(x, (4,), w, b), (2, 3, 4), (4,), (4,))
case("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3), (4,), (4,))
case("batch_norm", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (3, 2, 2, 2), (2,), (2,))
case("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2), (2, 4, 5, 4), (6, 2, 3, 2), (6,))
case("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2), (2, 4, 3, 2), (4, 1, 3, 3), (2,))
case("max_pool2d", lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), (2, 2, 6, 5))
case("avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 2, 6, 5))
case("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), (2, 2, 5, 7))
case("attention", lambda q, k, v: torch.softmax((q @ k.transpose(-2, -1)) / 2 + torch.full((3, 5), float("-inf")).triu(1), -1) @ v, (2, 3, 4), (2, 5, 4), (2, 5, 4))
case("bce_logits", lambda x, t: F.binary_cross_entropy_with_logits(x - 1, t / 2, reduction="none"), (3, 4), (3, 4), positive=True)
case("embedding", lambda w: F.embedding(torch.tensor([[2, 1, 0], [2, 3, 1]]), w), (4, 3))
# Module and loss options that float cannot hold exactly (they are double, so float64 agrees to 1e-10).
case("smooth_l1_beta", lambda x, y: F.smooth_l1_loss(x, y, beta=0.3), (4, 3), (4, 3))
case("huber_delta", lambda x, y: F.huber_loss(x, y, delta=0.7), (4, 3), (4, 3))
case("cross_entropy_smooth", lambda x: F.cross_entropy(x, torch.tensor([2, 0, 3, 1, 3]), label_smoothing=0.1), (5, 4))
case("leaky_relu_module", torch.nn.LeakyReLU(0.03), (8,))

safetensors_writer.write("ops64.safetensors", tensors, "make_ops64.py")
