#!/usr/bin/env python3
"""NumPy peer of bench_mc: brute-force Monte Carlo of one-step test-time training (isotropic setting).

Each trial draws every sample, (n + m) d normals with default_rng().standard_normal, vectorized over a batch
of trials: X (n x d), y = X beta + sigma eps, u = X^T y; X_tr (m x d), y_tr likewise, and
g = X_tr^T (y_tr - X_tr W0 u) with W0 = c I, so that W_TT = W0 + a g u^T, a = 2 eta / m. The population loss
(Lemma B.2, Sx = I) L(W) = |beta|^2 - 2n beta'W beta + n(n+1)|W beta|^2 + n(|beta|^2 + s2)|W|_F^2 + s2 is
evaluated
  rank1:  through the rank-one form (O(d) per trial, as the C++ brute trial does), or
  matrix: by forming W_TT as a d x d matrix per trial.
Prints one JSON object: the median trials/s over `reps` repetitions of about `seconds` each.

usage: numpy_mc.py rank1|matrix D N M SECONDS REPS [SIGMA2] [C]
"""
import json
import sys
import time

import numpy as np


def trials(rng, beta, n, m, s2, c, eta, batch, form):
    d = beta.size
    sig = np.sqrt(s2)
    X = rng.standard_normal((batch, n, d))
    y = X @ beta
    if s2 > 0:
        y += sig * rng.standard_normal((batch, n))
    u = np.einsum("bnd,bn->bd", X, y)
    del X
    Xt = rng.standard_normal((batch, m, d))
    v = beta[None, :] - c * u  # beta - W0 u
    r = np.einsum("bmd,bd->bm", Xt, v)
    if s2 > 0:
        r += sig * rng.standard_normal((batch, m))
    g = np.einsum("bmd,bm->bd", Xt, r)
    del Xt
    a = 2.0 * eta / m
    B = beta @ beta
    k = n * (B + s2)
    if form == "rank1":
        s = u @ beta                     # u'beta
        pg = g @ beta                    # g'beta
        gg = np.einsum("bd,bd->b", g, g)
        uu = np.einsum("bd,bd->b", u, u)
        gu = np.einsum("bd,bd->b", g, u)
        bWb = c * B + a * pg * s
        Wb2 = c * c * B + 2 * a * c * s * pg + a * a * s * s * gg
        WF2 = d * c * c + 2 * a * c * gu + a * a * gg * uu
    else:
        W = a * g[:, :, None] * u[:, None, :]
        W[:, np.arange(d), np.arange(d)] += c
        Wb = W @ beta
        bWb = Wb @ beta
        Wb2 = np.einsum("bd,bd->b", Wb, Wb)
        WF2 = np.einsum("bij,bij->b", W, W)
    return B - 2 * n * bWb + n * (n + 1) * Wb2 + k * WF2 + s2


def main():
    form = sys.argv[1]
    d, n, m = (int(x) for x in sys.argv[2:5])
    seconds, reps = float(sys.argv[5]), int(sys.argv[6])
    s2 = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0
    c = float(sys.argv[8]) if len(sys.argv) > 8 else 0.0
    beta = np.full(d, np.sqrt(1.0 / d))
    eta = 0.5  # any step: the cost does not depend on it
    rng = np.random.default_rng(1)
    # Batches of about 16 MiB of normals (2^21 doubles); the matrix form also holds batch x d x d.
    batch = max(1, (1 << 21) // ((n + m) * d))
    if form == "matrix":
        batch = max(1, min(batch, (1 << 21) // (d * d)))
    rates = []
    for _ in range(reps):
        done, t0 = 0, time.perf_counter()
        while True:
            trials(rng, beta, n, m, s2, c, eta, batch, form)
            done += batch
            el = time.perf_counter() - t0
            if el >= seconds:
                break
        rates.append(done / el)
    rates.sort()
    print(json.dumps({"mode": "numpy_" + form, "d": d, "n": n, "m": m, "threads": 1,
                      "trials_per_s": rates[len(rates) // 2], "min": rates[0], "max": rates[-1], "reps": reps,
                      "batch": batch, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
