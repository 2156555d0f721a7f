"""Write golden fixtures for the C++ tests (read by tests/fixture.h).

Run the generator scripts beside this file with Debian's python3-torch (/usr/bin/python3); they
write tests/reference/fixtures/*.json, which are committed. CI never needs torch.
"""
import json
import os

import torch

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

_DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}


def write_fixture(name, tensors, meta=None):
    """tensors: dict name -> torch.Tensor. Floats are written with enough digits to round-trip."""
    out = {}
    for key, t in tensors.items():
        t = t.detach().cpu().contiguous()
        dtype = _DTYPES[t.dtype]
        data = t.reshape(-1).tolist()
        if dtype == "float32":
            data = [float(f"{v:.9g}") for v in data]
        out[key] = {"dtype": dtype, "shape": list(t.shape), "data": data}
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, name), "w") as f:
        json.dump({"tensors": out, "meta": meta or {}}, f, separators=(",", ":"))
    print(f"wrote {name}: {len(out)} tensors")
