#!/usr/bin/python3
"""PyTorch float64 reference for the softmax transformer of include/ttt/models/transformer.hpp.

Writes tests/reference/transformer_reference.txt, read by tests/models/test_transformer_reference.cpp.
Run with Debian's python and torch (apt-get install python3-torch):  /usr/bin/python3 generate_transformer_reference.py
The C++ test does not need torch: it loads the weights from the dump.

The architecture is written out by hand (no nn.TransformerEncoder) to match the C++ templates:
  h0 = Z Win^T + bin + pos[offset:offset+T]
  block: h = h + Attn(LN1(h)); h = h + W2 gelu_tanh(W1 LN2(h) + b1) + b2
  Attn: per head softmax(Q K~^T / sqrt(dh) + mask) V~, K~ = [K_prefix; K], V~ = [V_prefix; V], then Wo
  y_hat = LN_f(h_L)[readout] w_o^T + b_o,  loss = mean (y_hat - y)^2

Dump format: blocks "name rows cols" followed by rows*cols numbers (row-major, %.17g), one block after another.
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(20240607)

CFG = dict(input_dim=4, width=8, layers=2, heads=2, mlp_ratio=4, max_tokens=10)
D, L, H = CFG["width"], CFG["layers"], CFG["heads"]
DH = D // H


def param_shapes():
    """Names and shapes in the C++ ParameterLayout order."""
    s = [("embed.readin.weight", (D, CFG["input_dim"])), ("embed.readin.bias", (D, 1)),
         ("embed.position", (CFG["max_tokens"], D))]
    for l in range(L):
        p = f"blocks.{l}"
        s += [(p + ".ln1.weight", (D, 1)), (p + ".ln1.bias", (D, 1))]
        for k in "qkvo":
            s += [(f"{p}.attn.{k}.weight", (D, D)), (f"{p}.attn.{k}.bias", (D, 1))]
        s += [(p + ".ln2.weight", (D, 1)), (p + ".ln2.bias", (D, 1)),
              (p + ".mlp.fc1.weight", (CFG["mlp_ratio"] * D, D)), (p + ".mlp.fc1.bias", (CFG["mlp_ratio"] * D, 1)),
              (p + ".mlp.fc2.weight", (D, CFG["mlp_ratio"] * D)), (p + ".mlp.fc2.bias", (D, 1))]
    s += [("final_norm.weight", (D, 1)), ("final_norm.bias", (D, 1)),
          ("readout.weight", (1, D)), ("readout.bias", (1, 1))]
    return s


def make_params():
    prm = {}
    for name, shape in param_shapes():
        if name.endswith("ln1.weight") or name.endswith("ln2.weight") or name == "final_norm.weight":
            t = 1.0 + 0.1 * torch.randn(shape)
        elif name.endswith(".bias"):
            t = 0.1 * torch.randn(shape)
        elif name == "embed.position":
            t = 0.2 * torch.randn(shape)
        else:
            t = torch.randn(shape) / math.sqrt(shape[1])
        prm[name] = t.clone().requires_grad_(True)
    return prm


def vec(t):
    return t.reshape(-1)


def forward(prm, tokens, B, T, mask, prefix=None, offset=0, readout=None):
    """tokens (B*T, in); mask: bool (T, Tk) or (B, T, Tk); prefix: list of (K, V) (B*Tp, D) per layer.
    Returns predictions (B, R) and the new tokens' (K, V) of every layer."""
    Tp = 0 if prefix is None else prefix[0][0].shape[0] // B
    h = tokens @ prm["embed.readin.weight"].T + vec(prm["embed.readin.bias"])
    h = h.view(B, T, D) + prm["embed.position"][offset:offset + T]
    m = mask if mask.dim() == 3 else mask.unsqueeze(0).expand(B, T, Tp + T)
    captured = []
    for l in range(L):
        p = f"blocks.{l}"
        a = F.layer_norm(h, (D,), vec(prm[p + ".ln1.weight"]), vec(prm[p + ".ln1.bias"]), eps=1e-5)
        lin = lambda x, k: x @ prm[f"{p}.attn.{k}.weight"].T + vec(prm[f"{p}.attn.{k}.bias"])
        q, k, v = lin(a, "q"), lin(a, "k"), lin(a, "v")  # (B, T, D)
        captured.append((k.reshape(B * T, D), v.reshape(B * T, D)))
        if Tp > 0:
            k = torch.cat([prefix[l][0].view(B, Tp, D), k], dim=1)
            v = torch.cat([prefix[l][1].view(B, Tp, D), v], dim=1)
        heads = lambda x: x.view(B, -1, H, DH).transpose(1, 2)  # (B, H, tokens, dh)
        s = heads(q) @ heads(k).transpose(-1, -2) / math.sqrt(DH)
        s = s.masked_fill(~m.unsqueeze(1), float("-inf"))
        c = (torch.softmax(s, dim=-1) @ heads(v)).transpose(1, 2).reshape(B, T, D)
        h = h + lin(c, "o")
        z = F.layer_norm(h, (D,), vec(prm[p + ".ln2.weight"]), vec(prm[p + ".ln2.bias"]), eps=1e-5)
        f = F.gelu(z @ prm[p + ".mlp.fc1.weight"].T + vec(prm[p + ".mlp.fc1.bias"]), approximate="tanh")
        h = h + f @ prm[p + ".mlp.fc2.weight"].T + vec(prm[p + ".mlp.fc2.bias"])
    h = F.layer_norm(h, (D,), vec(prm["final_norm.weight"]), vec(prm["final_norm.bias"]), eps=1e-5)
    r = [T - 1] if readout is None else readout
    pred = h[:, r, :] @ prm["readout.weight"].T + vec(prm["readout.bias"])
    return pred.squeeze(-1), captured


def prompt_mask(n, q):
    """Context sees the context; each query sees the context and itself (AttentionMask::prompt)."""
    T = n + q
    m = torch.zeros(T, T, dtype=torch.bool)
    m[:n, :n] = True
    for i in range(n, T):
        m[i, :n] = True
        m[i, i] = True
    return m


def causal_mask(T, Tp):
    m = torch.zeros(T, Tp + T, dtype=torch.bool)
    for i in range(T):
        m[i, : Tp + i + 1] = True
    return m


out = []


def dump(name, t):
    t = t.detach().reshape(t.shape[0] if t.dim() > 0 else 1, -1) if t.dim() != 2 else t.detach()
    out.append(f"{name} {t.shape[0]} {t.shape[1]}")
    out.append(" ".join("%.17g" % x for x in t.reshape(-1).tolist()))


def zero_grads(prm):
    for t in prm.values():
        t.grad = None


prm = make_params()
for name, _ in param_shapes():
    dump("param." + name, prm[name])

# Case a: a batch of prompts (n = 4 context pairs + 1 query), prompt mask, read-out at the query.
B, n = 3, 4
T = n + 1
tok_a = torch.randn(B * T, CFG["input_dim"])
tok_a[torch.arange(B) * T + n, -1] = 0.0  # queries [x; 0]
y_a = torch.randn(B, 1)
mask_a = prompt_mask(n, 1)
pred, _ = forward(prm, tok_a, B, T, mask_a)
loss = ((pred - y_a) ** 2).mean()
loss.backward()
dump("a.tokens", tok_a)
dump("a.targets", y_a)
dump("a.mask", mask_a.double())
dump("a.pred", pred)
dump("a.loss", loss.reshape(1, 1))
for name, _ in param_shapes():
    dump("a.grad." + name, prm[name].grad)
zero_grads(prm)

# Case b: a KV prefix captured from Tp causal tokens; T2 new tokens at positions Tp.. attend to it under a
# per-sequence mask (causal + leave-one-out + dropped prefix tokens); read-out at two positions.
Tp, T2 = 3, 3
tok_p = torch.randn(B * Tp, CFG["input_dim"])
with torch.no_grad():
    _, cap = forward(prm, tok_p, B, Tp, causal_mask(Tp, 0))
prefix = [(k.clone().requires_grad_(True), v.clone().requires_grad_(True)) for k, v in cap]
tok_b = torch.randn(B * T2, CFG["input_dim"])
mask_b = causal_mask(T2, Tp).unsqueeze(0).repeat(B, 1, 1)
mask_b[0, 2, 0] = False           # leave-one-out: query 2 of sequence 0 does not see prefix token 0
mask_b[1, :, 1] = False           # dropout: prefix token 1 of sequence 1 dropped for every query
mask_b[2, 1:, 0:2] = False        # sequence 2: queries 1, 2 do not see prefix tokens 0, 1
readout_b = [1, 2]
y_b = torch.randn(B, 2)
pred, _ = forward(prm, tok_b, B, T2, mask_b, prefix=prefix, offset=Tp, readout=readout_b)
loss = ((pred - y_b) ** 2).mean()
loss.backward()
dump("b.prefix_tokens", tok_p)
dump("b.prefix_mask", causal_mask(Tp, 0).double())
for l in range(L):
    dump(f"b.kv.{l}.k", cap[l][0])
    dump(f"b.kv.{l}.v", cap[l][1])
dump("b.tokens", tok_b)
dump("b.targets", y_b)
dump("b.mask", mask_b.reshape(B * T2, Tp + T2).double())
dump("b.readout", torch.tensor([readout_b], dtype=torch.float64))
dump("b.pred", pred)
dump("b.loss", loss.reshape(1, 1))
for name, _ in param_shapes():
    dump("b.grad." + name, prm[name].grad)
for l in range(L):
    dump(f"b.dkv.{l}.k", prefix[l][0].grad)
    dump(f"b.dkv.{l}.v", prefix[l][1].grad)
zero_grads(prm)

# Training: 10 AdamW steps on case a's batch: clip 0.5, lr 1e-2 with 3 warm-up steps then cosine to 0 at
# step 10, weight decay 0.1 on the linear layers' weights only.
STEPS, WARMUP, LR = 10, 3, 1e-2
decay = [prm[nm] for nm, _ in param_shapes()
         if nm.endswith(".weight") and not (nm.endswith("ln1.weight") or nm.endswith("ln2.weight")
                                            or nm == "final_norm.weight")]
no_decay = [prm[nm] for nm, _ in param_shapes() if all(prm[nm] is not t for t in decay)]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=LR, betas=(0.9, 0.999), eps=1e-8)


def lr_at(t):
    if t < WARMUP:
        return LR * (t + 1) / WARMUP
    return LR * 0.5 * (1 + math.cos(math.pi * min(1.0, (t - WARMUP) / max(STEPS - WARMUP, 1))))


losses = []
for t in range(STEPS):
    opt.zero_grad()
    pred, _ = forward(prm, tok_a, B, T, mask_a)
    loss = ((pred - y_a) ** 2).mean()
    losses.append(loss.item())
    loss.backward()
    torch.nn.utils.clip_grad_norm_([prm[nm] for nm, _ in param_shapes()], 0.5)
    for g in opt.param_groups:
        g["lr"] = lr_at(t)
    opt.step()
dump("train.loss", torch.tensor([losses]))
for name, _ in param_shapes():
    dump("train.final." + name, prm[name])

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transformer_reference.txt")
with open(path, "w") as f:
    f.write(f"# generated by generate_transformer_reference.py with torch {torch.__version__}\n")
    f.write("\n".join(out) + "\n")
print(f"wrote {path}", file=sys.stderr)
