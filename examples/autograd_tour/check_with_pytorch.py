"""The autograd tour's numbers, from PyTorch: run `python3 check_with_pytorch.py` and compare its
lines with the "Gradients" sections that `autograd_tour` prints (the same format, 6 digits)."""
import torch


def values(t):
    if t.dim() == 0:
        return f"{t.item():.6g}"
    return "[" + ", ".join(values(row) for row in t) + "]"


def expression():
    a, b, c, f = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, -3.0, 10.0, -2.0))
    L = (a * b + c) * f
    L.backward()
    print(f"L = {values(L)}")
    for name, t in (("a", a), ("b", b), ("c", c), ("f", f)):
        print(f"  dL/d{name} = {values(t.grad)}")


def mlp():
    fc1, fc2 = torch.nn.Linear(3, 4).double(), torch.nn.Linear(4, 1).double()
    with torch.no_grad():
        fc1.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [-0.4, 0.5, -0.6], [0.7, -0.8, 0.9], [-0.1, 0.2, -0.3]]))
        fc1.bias.copy_(torch.tensor([0.1, -0.1, 0.2, -0.2]))
        fc2.weight.copy_(torch.tensor([[0.5, -0.5, 0.25, -0.25]]))
        fc2.bias.copy_(torch.tensor([0.1]))
    x = torch.tensor([[1.0, -2.0, 0.5], [0.0, 1.5, -1.0]], dtype=torch.float64)
    y = torch.tensor([[1.0], [-1.0]], dtype=torch.float64)
    loss = torch.nn.functional.mse_loss(fc2(torch.tanh(fc1(x))), y)
    loss.backward()
    print(f"loss = {values(loss)}")
    for name, p in (("fc1.weight", fc1.weight), ("fc1.bias", fc1.bias), ("fc2.weight", fc2.weight),
                    ("fc2.bias", fc2.bias)):
        print(f"  dL/d{name} = {values(p.grad)}")


if __name__ == "__main__":
    expression()
    mlp()
