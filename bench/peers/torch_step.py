#!/usr/bin/python3
"""PyTorch peer of bench/transformer_step.cpp: one training step (batch drawing, forward, backward,
clipping, AdamW) of the same softmax transformer (width 64, 4 layers, 4 heads, GELU-tanh MLP 4x, pre-norm,
learned positions, d = 20, n = 40: 41 tokens, batch 64), written out as in
tests/reference/generate_transformer_reference.py.

Usage: torch_step.py [float32|float64] [threads] [steps]; prints one JSON line (median ms per step).
Debian's torch calls the system BLAS: run it with OpenBLAS, e.g.
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread /usr/bin/python3 bench/peers/torch_step.py float32 2
(the reference BLAS is 10-15x slower and would not be a fair peer).
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

dtype = sys.argv[1] if len(sys.argv) > 1 else "float32"
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float32 if dtype == "float32" else torch.float64)
torch.manual_seed(1)

d, n, B, D, L, H = 20, 40, 64, 64, 4, 4
T, DH = n + 1, D // H


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(D, D) for _ in range(4))
        self.fc1, self.fc2 = torch.nn.Linear(D, 4 * D), torch.nn.Linear(4 * D, D)

    def forward(self, h, mask):
        a = self.ln1(h)
        heads = lambda x: x.view(B, T, H, DH).transpose(1, 2)
        s = heads(self.q(a)) @ heads(self.k(a)).transpose(-1, -2) / math.sqrt(DH)
        s = s.masked_fill(~mask, float("-inf"))
        c = (torch.softmax(s, dim=-1) @ heads(self.v(a))).transpose(1, 2).reshape(B, T, D)
        h = h + self.o(c)
        return h + self.fc2(F.gelu(self.fc1(self.ln2(h)), approximate="tanh"))


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.readin = torch.nn.Linear(d + 1, D)
        self.pos = torch.nn.Parameter(0.02 * torch.randn(T, D))
        self.blocks = torch.nn.ModuleList(Block() for _ in range(L))
        self.norm, self.readout = torch.nn.LayerNorm(D), torch.nn.Linear(D, 1)

    def forward(self, z, mask):
        h = self.readin(z) + self.pos
        for b in self.blocks:
            h = b(h, mask)
        return self.readout(self.norm(h)[:, -1, :]).squeeze(-1)


mask = torch.zeros(T, T, dtype=torch.bool)  # AttentionMask::prompt(n, 1)
mask[:n, :n] = True
mask[n, :] = True
model = Model()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
times = []
for t in range(steps + 3):
    t0 = time.perf_counter()
    beta = torch.randn(B, d, 1)
    x = torch.randn(B, T, d)
    y = (x @ beta).squeeze(-1)
    z = torch.cat([x, y.unsqueeze(-1)], dim=-1)
    z[:, -1, -1] = 0.0
    loss = ((model(z, mask) - y[:, -1]) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if t >= 3:
        times.append(1e3 * (time.perf_counter() - t0))
print(json.dumps({"impl": "torch " + torch.__version__, "dtype": dtype, "threads": threads,
                  "ms_per_step": round(statistics.median(times), 3)}))
