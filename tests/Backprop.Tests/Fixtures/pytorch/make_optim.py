#!/usr/bin/env python3
"""Writes optim.safetensors: what torch.optim computes for optimizers with two parameter groups, and every scheduler.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 make_optim.py
Trajectories: two parameters, a [3] and a [2, 2], start at fixed values and minimise
sum(c * p * p) + sum(p) (c fixed); NAME.p0 and NAME.p1 hold the values after each of 6 steps, shaped
[6, 3] and [6, 2, 2]. The first parameter is in group 0 (the optimizer's defaults), the second in group 1
(the options that the case overrides). Schedules: NAME.lr is [steps, 2], the two groups' learning rates
after each step (group bases 0.1 and 0.05). safetensors_writer.py (beside it) writes the file.
"""
import torch

import safetensors_writer

tensors = {}
C0 = torch.tensor([0.5, 1.0, 2.0])
C1 = torch.tensor([[1.5, 0.25], [0.75, 3.0]])
STEPS = 6


def trajectory(name, make, group1):
    p0 = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    p1 = torch.tensor([[0.3, -0.7], [1.2, -1.5]], requires_grad=True)
    opt = make([{"params": [p0]}, dict({"params": [p1]}, **group1)])
    out0, out1 = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = (C0 * p0 * p0).sum() + p0.sum() + (C1 * p1 * p1).sum() + p1.sum()
        loss.backward()
        opt.step()
        out0.append(p0.detach().clone())
        out1.append(p1.detach().clone())
    tensors[f"{name}.p0"] = torch.stack(out0)
    tensors[f"{name}.p1"] = torch.stack(out1)


O = torch.optim
trajectory("sgd_nesterov", lambda g: O.SGD(g, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), {"lr": 0.05, "momentum": 0.5})
trajectory("sgd_dampening", lambda g: O.SGD(g, lr=0.1, momentum=0.9, dampening=0.3), {"weight_decay": 0.1})
trajectory("rmsprop", lambda g: O.RMSprop(g, lr=0.01), {"alpha": 0.9})
trajectory("rmsprop_momentum", lambda g: O.RMSprop(g, lr=0.01, momentum=0.8, weight_decay=0.05), {"lr": 0.02})
trajectory("rmsprop_centered", lambda g: O.RMSprop(g, lr=0.01, centered=True, momentum=0.5), {"eps": 1e-3})
trajectory("adam_l2", lambda g: O.Adam(g, lr=0.05, weight_decay=0.1), {"betas": (0.8, 0.99)})
trajectory("adamw", lambda g: O.AdamW(g, lr=0.05, weight_decay=0.1), {"weight_decay": 0.0, "lr": 0.1})
trajectory("adagrad", lambda g: O.Adagrad(g, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1), {"weight_decay": 0.2})


def schedule(name, make, steps=12, metrics=None):
    a = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = O.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1)
    sched = make(opt)
    rates = []
    for k in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[k])
        rates.append([g["lr"] for g in opt.param_groups])
    tensors[f"{name}.lr"] = torch.tensor(rates)


S = O.lr_scheduler
schedule("step", lambda o: S.StepLR(o, 3, gamma=0.5))
schedule("multistep", lambda o: S.MultiStepLR(o, [2, 5, 5, 9], gamma=0.5))
schedule("exponential", lambda o: S.ExponentialLR(o, 0.9))
schedule("cosine", lambda o: S.CosineAnnealingLR(o, 5, eta_min=0.01))
schedule("linear", lambda o: S.LinearLR(o, 0.25, 1.0, 4))
schedule("onecycle", lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=13))
schedule("lambda", lambda o: S.LambdaLR(o, lambda epoch: 0.95 ** epoch))
schedule("sequential", lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, 1.0, 3), S.CosineAnnealingLR(o, 6)], milestones=[3]))
schedule("plateau", lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1), metrics=[1.0, 0.9, 0.95, 0.92, 0.91, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.8])

safetensors_writer.write("optim.safetensors", tensors, "make_optim.py")
