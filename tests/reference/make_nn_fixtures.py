"""Golden values for nn part A from PyTorch: Linear, Embedding with padding_idx, LayerNorm,
cross_entropy (label smoothing, ignore_index, every reduction) and mse_loss. Run with Debian's
python3-torch:

    /usr/bin/python3 tests/reference/make_nn_fixtures.py

Each module fixture holds the module's state dict under PyTorch's names ("weight", "bias"), the
"input", a fixed random "proj", the "output", and after backward of (output * proj).sum() the
gradient of the input ("grad.input") and of every parameter ("grad.weight", ...). The C++ tests load
the weights by name with load_state_dict and compare everything.
"""
import torch
import torch.nn.functional as F

from fixture_io import write_fixture


def module_fixture(name, module, x, meta):
    """Runs module on x, backpropagates (out * proj).sum() and writes every tensor involved."""
    out = module(x)
    proj = torch.randn(out.shape)
    (out * proj).sum().backward()
    t = dict(module.state_dict())
    t.update(input=x, proj=proj, output=out)
    if x.requires_grad:
        t["grad.input"] = x.grad
    for pname, p in module.named_parameters():
        t[f"grad.{pname}"] = p.grad
    write_fixture(name, t, meta)


torch.manual_seed(0)

module_fixture("nn_linear.json", torch.nn.Linear(5, 4), torch.randn(2, 3, 5, requires_grad=True),
               {"in_features": 5, "out_features": 4})

# Index 1 is padding; it appears several times, and so do other indices (gradients accumulate).
emb = torch.nn.Embedding(10, 4, padding_idx=1)
with torch.no_grad():
    emb.weight[1] = torch.randn(4)  # a non-zero padding row still gets no gradient
module_fixture("nn_embedding.json", emb, torch.tensor([[1, 3, 3, 0, 1], [9, 1, 2, 3, 7], [1, 1, 5, 5, 5]]),
               {"num_embeddings": 10, "embedding_dim": 4, "padding_idx": 1})

# Random affine parameters so weight and bias matter; inputs with a non-zero mean and large scale.
for fname, shape, eps, x in [("nn_layer_norm.json", [6], 1e-5, torch.randn(2, 3, 6) * 3 + 1),
                             ("nn_layer_norm_2d.json", [3, 4], 1e-6, torch.randn(2, 3, 4) * 2 - 1)]:
    ln = torch.nn.LayerNorm(shape, eps=eps)
    with torch.no_grad():
        ln.weight.normal_()
        ln.bias.normal_()
    module_fixture(fname, ln, x.requires_grad_(), {"normalized_shape": shape, "eps": eps})

# cross_entropy: per case, the output and the logits' gradient for each reduction.
t = {}
cases = [
    ("smooth", torch.randn(8, 5) * 2, torch.tensor([0, 4, -100, 2, 2, 1, -100, 3]), -100, 0.1),
    ("plain", torch.randn(6, 7), torch.tensor([6, 0, 3, 3, 1, 5]), -100, 0.0),
    ("ignore2", torch.randn(6, 4), torch.tensor([2, 0, 2, 3, 1, 2]), 2, 0.25),
    ("spatial", torch.randn(2, 5, 3), torch.tensor([[0, 4, -100], [2, 2, 1]]), -100, 0.2),  # (N,C,d1)
]
for case, logits, target, ignore_index, smoothing in cases:
    t[f"{case}.logits"] = logits
    t[f"{case}.target"] = target
    for reduction in ["mean", "sum", "none"]:
        x = logits.clone().requires_grad_()
        out = F.cross_entropy(x, target, ignore_index=ignore_index, label_smoothing=smoothing, reduction=reduction)
        proj = torch.randn(out.shape)
        (out * proj).sum().backward()
        t.update({f"{case}.{reduction}.proj": proj, f"{case}.{reduction}.output": out,
                  f"{case}.{reduction}.grad": x.grad})
write_fixture("nn_cross_entropy.json", t,
              {case: {"ignore_index": ii, "label_smoothing": ls} for case, _, _, ii, ls in cases})

t = {}
a, b = torch.randn(3, 4), torch.randn(3, 4)
t.update(a=a, b=b)
for reduction in ["mean", "sum", "none"]:
    x, y = a.clone().requires_grad_(), b.clone().requires_grad_()
    out = F.mse_loss(x, y, reduction=reduction)
    proj = torch.randn(out.shape)
    (out * proj).sum().backward()
    t.update({f"{reduction}.proj": proj, f"{reduction}.output": out, f"{reduction}.grad_a": x.grad,
              f"{reduction}.grad_b": y.grad})
write_fixture("nn_mse_loss.json", t)
