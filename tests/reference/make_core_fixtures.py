"""Golden values for core ops from PyTorch: matmul with broadcast batch dims, softmax, log_softmax,
gelu (both forms), and their input gradients. Run with Debian's python3-torch:

    /usr/bin/python3 tests/reference/make_core_fixtures.py
"""
import torch

from fixture_io import write_fixture

torch.manual_seed(0)
t = {}

a = torch.randn(2, 1, 3, 4, requires_grad=True)
b = torch.randn(5, 4, 6, requires_grad=True)
out = a @ b
proj = torch.randn(out.shape)
(out * proj).sum().backward()
t.update(mm_a=a, mm_b=b, mm_out=out, mm_proj=proj, mm_grad_a=a.grad, mm_grad_b=b.grad)

x = (torch.randn(3, 4, 5) * 4).requires_grad_()
for name, fn in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
    x.grad = None
    y = fn(x, dim=1)
    p = torch.randn(y.shape)
    (y * p).sum().backward()
    t.update({f"{name}_x": x, f"{name}_out": y, f"{name}_proj": p, f"{name}_grad": x.grad.clone()})

g = (torch.randn(50) * 3).requires_grad_()
for approx in ["none", "tanh"]:
    g.grad = None
    y = torch.nn.functional.gelu(g, approximate=approx)
    y.sum().backward()
    t.update({f"gelu_{approx}_x": g, f"gelu_{approx}_out": y, f"gelu_{approx}_grad": g.grad.clone()})

write_fixture("core_ops.json", t)
