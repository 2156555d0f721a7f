"""Golden values for the loss modules from PyTorch: torch.nn.CrossEntropyLoss (ignore_index and
label smoothing together), NLLLoss (ignore_index, an (N,C,d1) input) and MSELoss, each for every
reduction. Run with Debian's python3-torch:

    /usr/bin/python3 tests/reference/make_loss_module_fixtures.py

Per case and reduction: the output, a fixed random "proj", and the input's gradient after
backward of (output * proj).sum(); meta holds each case's options.
"""
import torch

from fixture_io import write_fixture

torch.manual_seed(13)

cases = [
    # name, module factory (reduction -> module), input, target, options for the C++ side
    ("cross_entropy", lambda r: torch.nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1, reduction=r),
     torch.randn(7, 5) * 2, torch.tensor([0, 4, 1, 2, 0, 3, 3]), {"ignore_index": 0, "label_smoothing": 0.1}),
    ("cross_entropy_spatial", lambda r: torch.nn.CrossEntropyLoss(label_smoothing=0.3, reduction=r),
     torch.randn(2, 4, 3), torch.tensor([[0, 3, -100], [2, 1, 1]]), {"ignore_index": -100, "label_smoothing": 0.3}),
    ("nll", lambda r: torch.nn.NLLLoss(ignore_index=2, reduction=r),
     torch.randn(6, 4).log_softmax(1), torch.tensor([2, 0, 3, 3, 1, 2]), {"ignore_index": 2}),
    ("nll_spatial", lambda r: torch.nn.NLLLoss(reduction=r),
     torch.randn(2, 5, 3).log_softmax(1), torch.tensor([[0, 4, -100], [2, 2, 1]]), {"ignore_index": -100}),
    ("mse", lambda r: torch.nn.MSELoss(reduction=r), torch.randn(3, 4), torch.randn(3, 4), {}),
]

t = {}
for name, make, x, target, _ in cases:
    t[f"{name}.input"] = x
    t[f"{name}.target"] = target
    for reduction in ["mean", "sum", "none"]:
        xr = x.clone().requires_grad_()
        out = make(reduction)(xr, target)
        proj = torch.randn(out.shape)
        (out * proj).sum().backward()
        t.update({f"{name}.{reduction}.proj": proj, f"{name}.{reduction}.output": out,
                  f"{name}.{reduction}.grad": xr.grad})
write_fixture("nn_loss_modules.json", t, {name: meta for name, _, _, _, meta in cases})
