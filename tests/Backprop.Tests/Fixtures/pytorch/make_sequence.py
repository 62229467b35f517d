#!/usr/bin/env python3
"""Writes sequence.safetensors: what PyTorch computes for the layers of the sequence-model issue.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 make_sequence.py
Each case NAME holds the module's state dict as NAME.p.KEY (parameters randomised), its inputs
(NAME.x, or NAME.q, NAME.k, NAME.v; masks and token ids as BOOL and I64), the output NAME.out, the
attention weights NAME.w where the module returns them, an upstream gradient NAME.gout, the input
gradients NAME.gx (NAME.gq, NAME.gk, NAME.gv) and each parameter's gradient NAME.g.KEY, all of
sum(out * gout). The case "gpt" is a two-layer GPT in nanoGPT's layout (Backprop.Models.Gpt's keys):
its logits, the cross-entropy, every gradient, and the parameters after three AdamW steps with
gradient clipping (gpt.after.KEY). The recurrent cases come last (see recurrent()).
Every value is drawn in float32 and then computed in float64, and stored as float32: the reference
is the exact result for float32 inputs, so a test's tolerance measures Backprop's rounding alone.
"""
import math

import torch
from torch import nn
from torch.nn import functional as F

import safetensors_writer

torch.manual_seed(12)
tensors = {}


def randomise(module, scale=0.5):
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.randn_like(p) * scale + (1.0 if name.endswith("weight") and p.dim() == 1 else 0.0))
    return module.double()


def randn(*shape):
    """Float32 normal values, as float64 that require grad."""
    return torch.randn(*shape).double().requires_grad_()


def save_params(name, module):
    for key, t in module.state_dict().items():
        tensors[f"{name}.p.{key}"] = t.clone()


def save_grads(name, module):
    for key, p in module.named_parameters():
        tensors[f"{name}.g.{key}"] = p.grad.clone()


def backward(name, out):
    gout = torch.randn(out.shape).double()
    (out * gout).sum().backward()
    tensors[f"{name}.out"] = out.detach()
    tensors[f"{name}.gout"] = gout


# Embedding with a padding row: the row of id 2 gets no gradient.
emb = nn.Embedding(10, 4, padding_idx=2).double()
save_params("embedding", emb)
ids = torch.tensor([[1, 2, 3, 9, 2], [0, 0, 5, 2, 7], [4, 4, 4, 8, 6]])
tensors["embedding.x"] = ids
backward("embedding", emb(ids))
save_grads("embedding", emb)

# Self-attention, batch first, a causal bool mask and a padded key.
mha = randomise(nn.MultiheadAttention(8, 2, batch_first=True))
save_params("mha_self", mha)
x = randn(2, 5, 8)
causal = torch.ones(5, 5, dtype=torch.bool).triu(1)
padding = torch.zeros(2, 5, dtype=torch.bool)
padding[1, 4] = True
out, w = mha(x, x, x, key_padding_mask=padding, attn_mask=causal, need_weights=True)
tensors.update({"mha_self.x": x.detach(), "mha_self.mask": causal, "mha_self.padding": padding, "mha_self.w": w.detach()})
backward("mha_self", out)
tensors["mha_self.gx"] = x.grad
save_grads("mha_self", mha)

# Cross-attention, sequence first, distinct query, key and value, a float mask, weights per head.
mha = randomise(nn.MultiheadAttention(6, 3))
save_params("mha_cross", mha)
q, k, v = randn(4, 2, 6), randn(7, 2, 6), randn(7, 2, 6)
bias = torch.randn(4, 7).double()
out, w = mha(q, k, v, attn_mask=bias, need_weights=True, average_attn_weights=False)
tensors.update({"mha_cross.q": q.detach(), "mha_cross.k": k.detach(), "mha_cross.v": v.detach(), "mha_cross.mask": bias, "mha_cross.w": w.detach()})
backward("mha_cross", out)
tensors.update({"mha_cross.gq": q.grad, "mha_cross.gk": k.grad, "mha_cross.gv": v.grad})
save_grads("mha_cross", mha)

# Transformer layers (no dropout, so that training mode is deterministic).
for name, layer, shape in (
    ("encoder_post", nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), (5, 2, 8)),
    ("encoder_pre_gelu", nn.TransformerEncoderLayer(8, 4, 12, dropout=0.0, activation="gelu", batch_first=True, norm_first=True), (2, 6, 8)),
):
    randomise(layer)
    save_params(name, layer)
    x = randn(*shape)
    tensors[f"{name}.x"] = x.detach()
    backward(name, layer(x))
    tensors[f"{name}.gx"] = x.grad
    save_grads(name, layer)

for name, layer, norm_first in (("decoder_post", nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True), False),
                                ("decoder_pre", nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True), True)):
    randomise(layer)
    save_params(name, layer)
    tgt, memory = randn(2, 4, 8), randn(2, 6, 8)
    mask = torch.ones(4, 4, dtype=torch.bool).triu(1)
    tensors.update({f"{name}.q": tgt.detach(), f"{name}.k": memory.detach(), f"{name}.mask": mask})
    backward(name, layer(tgt, memory, tgt_mask=mask))
    tensors.update({f"{name}.gq": tgt.grad, f"{name}.gk": memory.grad})
    save_grads(name, layer)


class Attention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.h = h

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.h, C // self.h).transpose(1, 2) for t in self.c_attn(x).split(C, dim=2))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.h)
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)
        return self.c_proj((att @ v).transpose(1, 2).reshape(B, T, C))


class Mlp(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d)
        self.c_proj = nn.Linear(4 * d, d)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = Attention(d, h)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = Mlp(d)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, vocab, block, d, layers, heads):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block, d)
        self.h = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for block in self.h:
            x = block(x)
        return F.linear(self.ln_f(x), self.wte.weight)


gpt = randomise(Gpt(11, 8, 16, 2, 2), 0.3)
save_params("gpt", gpt)
idx = torch.randint(0, 11, (3, 8))
targets = torch.randint(0, 11, (3, 8))
tensors.update({"gpt.x": idx, "gpt.y": targets})
logits = gpt(idx)
loss = F.cross_entropy(logits.view(-1, 11), targets.view(-1))
loss.backward()
tensors.update({"gpt.out": logits.detach(), "gpt.loss": loss.detach().reshape(1)})
save_grads("gpt", gpt)
decay = [p for p in gpt.parameters() if p.dim() >= 2]
nodecay = [p for p in gpt.parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}], lr=1e-2, betas=(0.9, 0.99))
for _ in range(3):
    opt.zero_grad()
    F.cross_entropy(gpt(idx).view(-1, 11), targets.view(-1)).backward()
    torch.nn.utils.clip_grad_norm_(gpt.parameters(), 1.0)
    opt.step()
for key, t in gpt.state_dict().items():
    tensors[f"gpt.after.{key}"] = t.clone()



# Recurrent layers and cells: NAME.x, NAME.h0 (NAME.c0), the output NAME.out and final states NAME.hn (NAME.cn), their
# upstream gradients NAME.gout, NAME.ghn (NAME.gcn), and the gradients of x, h0 (c0) and every parameter of
# sum(out * gout) + sum(hn * ghn) (+ sum(cn * gcn)).
def recurrent(name, module, shape, states):
    randomise(module)
    save_params(name, module)
    x = randn(*shape)
    h0 = randn(*states[0]) if states else None
    c0 = randn(*states[1]) if states and len(states) > 1 else None
    tensors[f"{name}.x"] = x.detach()
    if isinstance(module, (nn.LSTM, nn.LSTMCell)):
        if isinstance(module, nn.LSTM):
            out, (hn, cn) = module(x, (h0, c0))
        else:
            out = None
            hn, cn = module(x, (h0, c0))
        results = [("out", out), ("hn", hn), ("cn", cn)]
    elif isinstance(module, (nn.GRU, nn.RNN)):
        out, hn = module(x, h0) if h0 is not None else module(x)
        results = [("out", out), ("hn", hn)]
    else:
        results = [("hn", module(x, h0))]
    total = 0
    for key, value in results:
        if value is None:
            continue
        g = torch.randn(value.shape).double()
        tensors[f"{name}.{key}"] = value.detach()
        tensors[f"{name}.g{key}"] = g
        total = total + (value * g).sum()
    total.backward()
    tensors[f"{name}.gx"] = x.grad
    for key, t in (("h0", h0), ("c0", c0)):
        if t is not None:
            tensors[f"{name}.{key}"] = t.detach()
            tensors[f"{name}.g{key}"] = t.grad
    save_grads(name, module)


recurrent("lstm", nn.LSTM(5, 6, num_layers=2, batch_first=True, bidirectional=True), (3, 4, 5), [(4, 3, 6), (4, 3, 6)])
recurrent("gru", nn.GRU(4, 5, num_layers=2), (6, 2, 4), None)
recurrent("rnn_relu", nn.RNN(3, 4, nonlinearity="relu", bidirectional=True), (5, 2, 3), [(2, 2, 4)])
recurrent("lstm_cell", nn.LSTMCell(4, 5), (3, 4), [(3, 5), (3, 5)])
recurrent("gru_cell", nn.GRUCell(4, 5), (3, 4), [(3, 5)])
recurrent("rnn_cell", nn.RNNCell(4, 5), (3, 4), [(3, 5)])

tensors = {k: t.detach().float() if t.is_floating_point() else t for k, t in tensors.items()}
safetensors_writer.write("sequence.safetensors", tensors, "make_sequence.py")
print(len(tensors), "tensors")
