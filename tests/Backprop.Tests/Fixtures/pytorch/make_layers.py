#!/usr/bin/env python3
"""Writes layers.safetensors: what PyTorch computes for the layers of the convolution issue.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 make_layers.py
For each case NAME: the layer's state dict as NAME.p.KEY (parameters randomised, running statistics
set), the input NAME.x, the output NAME.out, an upstream gradient NAME.gout, the input gradient NAME.gx
and each parameter's gradient NAME.g.KEY (of sum(out * gout)); the state dict after the forward as
NAME.after.KEY (batch norm's running statistics); pooling with indices stores them as NAME.idx.
The case "cnn" is a small CNN with batch norm trained for three SGD steps (see train_cnn); the
functional cases after it (unfold, fold, upsample) come last, so that adding them changed nothing before.
"""
import torch
from torch import nn

import safetensors_writer

torch.manual_seed(11)
tensors = {}


def randomise(module):
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.randn_like(p) * 0.5 + (1.0 if name.endswith("weight") and p.dim() == 1 else 0.0))
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn_like(b) * 0.3)
            elif name.endswith("running_var"):
                b.copy_(torch.rand_like(b) + 0.5)


def case(name, module, shape, train=True, with_indices=False):
    randomise(module)
    for key, t in module.state_dict().items():
        tensors[f"{name}.p.{key}"] = t.clone()
    module.train(train)
    x = torch.randn(shape, requires_grad=True)
    out = module(x)
    if with_indices:
        out, tensors[f"{name}.idx"] = out
    gout = torch.randn(out.shape)
    (out * gout).sum().backward()
    tensors[f"{name}.x"] = x
    tensors[f"{name}.out"] = out
    tensors[f"{name}.gout"] = gout
    tensors[f"{name}.gx"] = x.grad
    for key, p in module.named_parameters():
        tensors[f"{name}.g.{key}"] = p.grad
    for key, b in module.named_buffers():
        tensors[f"{name}.after.{key}"] = b.clone()


case("conv_basic", nn.Conv2d(3, 4, 3), (2, 3, 7, 6))
case("conv_strided", nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2), (2, 4, 9, 8))
case("conv_same_reflect", nn.Conv2d(3, 5, 4, padding="same", padding_mode="reflect"), (2, 3, 6, 7))
case("conv_depthwise", nn.Conv2d(4, 8, 3, padding=1, groups=4, bias=False), (3, 4, 5, 5))
case("conv_replicate", nn.Conv2d(2, 3, 3, padding=2, padding_mode="replicate"), (1, 2, 5, 4))
case("conv1d", nn.Conv1d(3, 4, 3, stride=2, padding=1), (2, 3, 11))
case("conv_transpose", nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1), (2, 4, 4, 5))
case("maxpool", nn.MaxPool2d(3, 2, 1, return_indices=True), (2, 3, 7, 8), with_indices=True)
case("maxpool_ceil", nn.MaxPool2d(2, ceil_mode=True), (2, 2, 7, 7))
case("avgpool", nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 8))
case("adaptive_avg", nn.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 5))
case("adaptive_max", nn.AdaptiveMaxPool2d((2, 3)), (2, 3, 7, 5))
case("bn2d_train", nn.BatchNorm2d(3), (4, 3, 5, 5))
case("bn2d_eval", nn.BatchNorm2d(3), (4, 3, 5, 5), train=False)
case("bn1d_train", nn.BatchNorm1d(4, momentum=None), (8, 4))
case("bn1d_seq", nn.BatchNorm1d(3), (4, 3, 6))
case("layernorm", nn.LayerNorm([4, 5]), (3, 4, 5))
case("groupnorm", nn.GroupNorm(2, 6), (3, 6, 4, 4))


def train_cnn():
    """cnn.p.KEY: the starting state; cnn.x, cnn.y: the batch; cnn.loss: the three losses; cnn.after.KEY: the
    state after three SGD steps (lr 0.1, momentum 0.9); cnn.g.KEY: the gradients of the first step;
    cnn.eval: the eval-mode logits after training."""
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))
    for key, t in model.state_dict().items():
        tensors[f"cnn.p.{key}"] = t.clone()
    x = torch.randn(6, 1, 8, 8)
    y = torch.tensor([0, 2, 1, 1, 0, 2])
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for step in range(3):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        if step == 0:
            for key, p in model.named_parameters():
                tensors[f"cnn.g.{key}"] = p.grad.clone()
        opt.step()
        losses.append(loss.item())
    tensors["cnn.x"] = x
    tensors["cnn.y"] = y
    tensors["cnn.loss"] = torch.tensor(losses)
    for key, t in model.state_dict().items():
        tensors[f"cnn.after.{key}"] = t.clone()
    model.eval()
    with torch.no_grad():
        tensors["cnn.eval"] = model(x)


train_cnn()
F = nn.functional


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


case("unfold", Fn(lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))), (2, 3, 5, 6))
case("fold", Fn(lambda x: F.fold(x, (4, 5), 2, stride=1)), (2, 3 * 4, 12))
case("upsample_nearest", nn.Upsample(scale_factor=2, mode="nearest"), (2, 3, 3, 4))
case("upsample_nearest_size", nn.Upsample(size=(5, 7), mode="nearest"), (1, 2, 3, 4))
case("upsample_bilinear", nn.Upsample(size=(7, 5), mode="bilinear"), (2, 2, 3, 4))
case("upsample_bilinear_corners", nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True), (1, 2, 3, 4))
safetensors_writer.write("layers.safetensors", tensors, "make_layers.py")
print(len(tensors), "tensors")
