"""Golden fixtures for tests/optim: torch.optim (PyTorch 1.13) on a small float64 model.

Run with Debian's torch: /usr/bin/python3 tests/reference/make_optim_fixtures.py

The model is a 2-layer MLP with tanh, loss = mean((tanh(x @ w1 + b1) @ w2 + b2 - y)^2), in two
parameter groups: the weights with the optimizer's defaults, and the biases with their own lr and
no weight decay. Each config trains 20 steps from the same start; the C++ test repeats them with ag
and compares the final parameters. Schedules other than torch's own are set by hand each step from
the closed forms below, written independently of the C++ ones.
"""
import math

import torch

from fixture_io import write_fixture

STEPS = 20
PARAM_NAMES = ["w1", "b1", "w2", "b2"]


def make_problem():
    g = torch.Generator().manual_seed(1234)
    data = {
        "x": torch.randn(8, 4, generator=g, dtype=torch.float64),
        "y": torch.randn(8, 3, generator=g, dtype=torch.float64),
        "w1": torch.randn(4, 6, generator=g, dtype=torch.float64) * 0.5,
        "b1": torch.randn(6, generator=g, dtype=torch.float64) * 0.1,
        "w2": torch.randn(6, 3, generator=g, dtype=torch.float64) * 0.5,
        "b2": torch.randn(3, generator=g, dtype=torch.float64) * 0.1,
    }
    return data


def loss_fn(p, x, y):
    return ((torch.tanh(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"] - y) ** 2).mean()


def noam(step, base_lr, d_model, warmup, factor):
    s = max(step, 1)
    return base_lr * factor * d_model ** -0.5 * min(s ** -0.5, s * warmup ** -1.5)


def warmup_cosine(step, base_lr, warmup, total, min_lr):
    if step < warmup:
        return base_lr * (step + 1) / warmup
    q = min(1.0, (step - warmup) / (total - warmup))
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * q)) / 2


# name -> (optimizer class, defaults, bias group overrides, schedule, clip max_norm)
# schedule: None, ("torch", make_scheduler) or ("manual", lr(step, base_lr)).
CONFIGS = {
    "sgd": (torch.optim.SGD, dict(lr=0.1), dict(), None, None),
    "sgd_momentum": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
                     dict(lr=0.05, weight_decay=0.0), None, None),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
                     dict(lr=0.1, weight_decay=0.0),
                     ("torch", lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)), None),
    "adam": (torch.optim.Adam, dict(lr=0.01, betas=(0.9, 0.99), weight_decay=0.01),
             dict(weight_decay=0.0), None, 0.5),
    "adam_amsgrad": (torch.optim.Adam, dict(lr=0.02, amsgrad=True, weight_decay=0.01),
                     dict(lr=0.01, weight_decay=0.0),
                     ("manual", lambda step, base: warmup_cosine(step, base, 5, 15, 1e-3)), None),
    "adamw": (torch.optim.AdamW, dict(lr=0.01, weight_decay=0.1), dict(weight_decay=0.0),
              ("torch", lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 / (1 + 0.1 * s))), None),
    "adamw_amsgrad": (torch.optim.AdamW, dict(lr=1.0, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.05, amsgrad=True),
                      dict(lr=0.5), ("manual", lambda step, base: noam(step, base, 16, 5, 0.5)), 1.0),
}


def train(data, config):
    cls, defaults, bias_overrides, schedule, clip = config
    p = {k: data[k].clone().requires_grad_(True) for k in PARAM_NAMES}
    groups = [{"params": [p["w1"], p["w2"]]}, dict(params=[p["b1"], p["b2"]], **bias_overrides)]
    opt = cls(groups, foreach=False, **defaults)
    scheduler = None
    base_lrs = [g["lr"] for g in opt.param_groups]
    if schedule and schedule[0] == "torch":
        scheduler = schedule[1](opt)
    for step in range(STEPS):
        if schedule and schedule[0] == "manual":
            for g, base in zip(opt.param_groups, base_lrs):
                g["lr"] = schedule[1](step, base)
        opt.zero_grad()
        loss_fn(p, data["x"], data["y"]).backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(p.values(), clip)
        opt.step()
        if scheduler:
            scheduler.step()
    return p


FILES = {
    "optim_sgd.json": ["sgd", "sgd_momentum", "sgd_nesterov"],
    "optim_adam.json": ["adam", "adam_amsgrad"],
    "optim_adamw.json": ["adamw", "adamw_amsgrad"],
}


def write_training_fixtures(data):
    for file, names in FILES.items():
        tensors = dict(data)
        for name in names:
            for k, v in train(data, CONFIGS[name]).items():
                tensors[f"{name}.{k}"] = v
        write_fixture(file, tensors, {"steps": STEPS, "configs": names})


def write_clip_fixture(data):
    p = {k: data[k].clone().requires_grad_(True) for k in PARAM_NAMES}
    loss_fn(p, data["x"], data["y"]).backward()
    tensors = {f"grad.{k}": p[k].grad.clone() for k in PARAM_NAMES}
    cases = [("l2", 0.05, 2.0), ("inf", 0.01, math.inf), ("p1_5", 0.03, 1.5), ("unclipped", 100.0, 2.0)]
    for name, max_norm, norm_type in cases:
        q = {k: p[k].detach().clone().requires_grad_(True) for k in PARAM_NAMES}
        for k in PARAM_NAMES:
            q[k].grad = p[k].grad.clone()
        total = torch.nn.utils.clip_grad_norm_(q.values(), max_norm, norm_type)
        tensors[f"{name}.total_norm"] = total.reshape(())
        for k in PARAM_NAMES:
            tensors[f"{name}.{k}"] = q[k].grad
    write_fixture("optim_clip.json", tensors, {"cases": [[n, m, str(t)] for n, m, t in cases]})


def write_schedule_fixture():
    """torch's own schedulers' lr after 0..29 scheduler steps, for two groups (lr 0.1 and 0.02)."""
    makers = {
        "step_lr": lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.3),
        "constant_lr": lambda opt: torch.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=4),
        "lambda_lr": lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.9 ** s + 0.01 * s),
    }
    tensors = {}
    for name, make in makers.items():
        w = torch.zeros(1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.02}], lr=0.1)
        scheduler = make(opt)
        lrs = []
        for _ in range(30):
            lrs.append([g["lr"] for g in opt.param_groups])
            opt.step()
            scheduler.step()
        tensors[name] = torch.tensor(lrs, dtype=torch.float64)
    write_fixture("optim_schedules.json", tensors, {"rows": "lr of (group 0, group 1) after k scheduler steps"})


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    problem = make_problem()
    write_training_fixtures(problem)
    write_clip_fixture(problem)
    write_schedule_fixture()
