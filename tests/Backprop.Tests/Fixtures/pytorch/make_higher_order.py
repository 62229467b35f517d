#!/usr/bin/env python3
"""Writes higher_order.safetensors: second derivatives as PyTorch computes them, in float64.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 make_higher_order.py
- penalty.*: a gradient penalty (WGAN-GP) on a two-layer tanh network f(x) = tanh(x W1ᵀ + b1) W2ᵀ + b2:
  g = d(sum f(x))/dx with create_graph, penalty = mean((‖g‖₂ per row − 1)²); the file holds x, the parameters,
  penalty and each parameter's gradient of it (penalty.grad.NAME; zeros for b2, which the penalty does not use).
- hvp.*: a Hessian-vector product of a cross-entropy with probability targets t on a tanh network
  (loss = −mean Σ t · log_softmax(tanh(x W1ᵀ) W2ᵀ)): the gradient g of each weight with create_graph, then the
  gradient of Σ g·v for fixed directions v (hvp.hv.NAME).
- smooth.*: the same for a smooth elementwise loss of one vector w: log Σ exp(x·w) + Σ w/(1 + w²) + Σ √(w² + 1)
  + Σ sigmoid(w)·w³.
safetensors_writer.py (beside it) writes the file as F64.
"""
import torch

import safetensors_writer

torch.manual_seed(11)
torch.set_default_dtype(torch.float64)
tensors = {}

# Gradient penalty.
x = torch.randn(4, 3, requires_grad=True)
params = {"w1": torch.randn(5, 3), "b1": torch.randn(5), "w2": torch.randn(2, 5), "b2": torch.randn(2)}
for p in params.values():
    p.requires_grad_()
out = torch.tanh(x @ params["w1"].T + params["b1"]) @ params["w2"].T + params["b2"]
g, = torch.autograd.grad(out.sum(), x, create_graph=True)
penalty = ((g.pow(2).sum(1).sqrt() - 1) ** 2).mean()
penalty.backward()
tensors["penalty.x"] = x
tensors["penalty.value"] = penalty.reshape(1)
for name, p in params.items():
    tensors[f"penalty.{name}"] = p
    # b2 does not reach the gradient of x: PyTorch leaves its grad None, stored here as zeros.
    tensors[f"penalty.grad.{name}"] = p.grad if p.grad is not None else torch.zeros_like(p)

# Hessian-vector product of a cross-entropy with probability targets.
x = torch.randn(6, 4)
t = torch.softmax(torch.randn(6, 3), 1)
w1 = torch.randn(5, 4, requires_grad=True)
w2 = torch.randn(3, 5, requires_grad=True)
v1, v2 = torch.randn(5, 4), torch.randn(3, 5)
loss = -(torch.log_softmax(torch.tanh(x @ w1.T) @ w2.T, 1) * t).sum(1).mean()
g1, g2 = torch.autograd.grad(loss, [w1, w2], create_graph=True)
h1, h2 = torch.autograd.grad((g1 * v1).sum() + (g2 * v2).sum(), [w1, w2])
tensors.update({"hvp.x": x, "hvp.t": t, "hvp.w1": w1, "hvp.w2": w2, "hvp.v.w1": v1, "hvp.v.w2": v2,
                "hvp.loss": loss.reshape(1), "hvp.g.w1": g1, "hvp.g.w2": g2, "hvp.hv.w1": h1, "hvp.hv.w2": h2})

# A smooth elementwise loss.
x = torch.randn(7)
w = torch.randn(7, requires_grad=True)
v = torch.randn(7)
loss = torch.exp(x * w).sum().log() + (w / (1 + w * w)).sum() + torch.sqrt(w * w + 1).sum() + (torch.sigmoid(w) * w ** 3).sum()
g, = torch.autograd.grad(loss, w, create_graph=True)
h, = torch.autograd.grad((g * v).sum(), w)
tensors.update({"smooth.x": x, "smooth.w": w, "smooth.v": v, "smooth.loss": loss.reshape(1), "smooth.g": g, "smooth.hv": h})

safetensors_writer.write("higher_order.safetensors", tensors, "make_higher_order.py")
