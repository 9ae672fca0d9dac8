#!/usr/bin/env python3
"""Runs bench_mc and the NumPy peers side by side, prints a table and writes bench/results/latest.json.

Called by scripts/bench.sh (which builds bench_mc first). Every number is the median of REPS repetitions of
about SECS seconds each, measured in this run on this machine.
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time

SIZES = [(40, 40, 40), (160, 160, 160), (1280, 1280, 1280)]
GRID = [20, 40, 80, 160, 320, 640]
BASE = 80


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return json.loads(out[-1])


def fit_slope(xs, ys):
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench-exe", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--compiler", default="unknown")
    ap.add_argument("--out", required=True)
    ap.add_argument("--secs", type=float, default=1.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="shorter measurements (a smoke run)")
    a = ap.parse_args()
    secs, reps = (0.3, 1) if a.quick else (a.secs, a.reps)
    exe, here = a.bench_exe, os.path.dirname(os.path.abspath(__file__))
    peer = os.path.join(here, "peers", "numpy_mc.py")
    t_start = time.time()
    res = {"throughput": [], "variance": [], "scaling": []}

    def log(msg):
        print(f"[{time.time() - t_start:6.0f} s] {msg}", file=sys.stderr, flush=True)

    # 1. Throughput at the sizes.
    for (d, n, m) in SIZES:
        s = secs * (2 if d >= 1280 else 1)
        row = {"d": d, "n": n, "m": m}
        log(f"throughput d=n=m={d}")
        for form in ("rank1", "matrix"):
            row["numpy_" + form] = run_json([a.python, peer, form, str(d), str(n), str(m), str(s), str(reps)])
        for th in (1, 2):
            row[f"gen_{th}t"] = run_json([exe, "gen", str(d), str(n), str(m), str(th), str(s), str(reps)])
            row[f"brute_{th}t"] = run_json([exe, "mc", "brute", str(d), str(n), str(m), str(th), str(s), str(reps), "zero", "0"])
        row["genold_1t"] = run_json([exe, "genold", str(d), str(n), str(m), "1", str(s), "1"])
        for est in ("conditional", "reduced"):
            row[est + "_2t"] = run_json([exe, "mc", est, str(d), str(n), str(m), "2", str(s), str(reps), "zero", "0"])
        res["throughput"].append(row)

    # 2. Variance reduction at d = n = m = 40: (per-trial variance) x (seconds per trial), 2 threads.
    for init in ("zero", "pretrained"):
        log(f"variance reduction, {init} init")
        row = {"init": init}
        for est in ("brute", "conditional", "reduced"):
            row[est] = run_json([exe, "mc", est, "40", "40", "40", "2", str(secs), str(reps), init, "0"])
        res["variance"].append(row)

    # 3. Cost growth: time per trial against d, n, m (the others at BASE), 1 thread.
    grid = GRID[:4] if a.quick else GRID
    for est in ("brute", "conditional", "reduced"):
        for var in ("d", "n", "m"):
            log(f"scaling {est} in {var}")
            pts = []
            for x in grid:
                dd, nn, mm = (x if var == "d" else BASE), (x if var == "n" else BASE), (x if var == "m" else BASE)
                r = run_json([exe, "mc", est, str(dd), str(nn), str(mm), "1", str(secs / 2), str(reps), "zero", "0"])
                pts.append({"d": dd, "n": nn, "m": mm, "seconds_per_trial": 1 / r["trials_per_s"]})
            xs = [p[var] for p in pts]
            model = {"brute": lambda p: (p["n"] + p["m"]) * p["d"], "conditional": lambda p: p["n"] * p["d"],
                     "reduced": lambda p: 1.0}[est]
            res["scaling"].append({"estimator": est, "variable": var, "points": pts,
                                   "fitted_exponent": fit_slope(xs, [p["seconds_per_trial"] for p in pts]),
                                   "predicted_exponent": fit_slope(xs, [model(p) * (1 + 1e-12 * i) for i, p in enumerate(pts)])})

    # Summary and table.
    lines, summary = [], {"throughput": [], "variance": [], "scaling": []}
    lines.append("== Throughput (trials/s; NumPy single-threaded; C++ 1 and 2 threads) ==")
    lines.append(f"{'d=n=m':>6} {'numpy r1':>10} {'numpy mat':>10} {'brute 1t':>10} {'brute 2t':>10} {'x numpy':>8} "
                 f"{'2t/1t':>6} {'gen 1t':>10} {'gen 2t':>10} {'trial/gen':>9} {'old gen':>9} {'cond 2t':>10} "
                 f"{'x numpy':>8} {'reduced 2t':>11} {'x numpy':>9}")
    for r in res["throughput"]:
        best = max(r["numpy_rank1"]["trials_per_s"], r["numpy_matrix"]["trials_per_s"])
        b1, b2 = r["brute_1t"]["trials_per_s"], r["brute_2t"]["trials_per_s"]
        g1, g2 = r["gen_1t"]["trials_per_s"], r["gen_2t"]["trials_per_s"]
        c2, r2 = r["conditional_2t"]["trials_per_s"], r["reduced_2t"]["trials_per_s"]
        s = {"d": r["d"], "numpy_best": best, "brute_2t_over_numpy": b2 / best, "speedup_2t": b2 / b1,
             "brute_over_gen_1t": b1 / g1, "brute_over_gen_2t": b2 / g2, "gen_speedup_2t": g2 / g1,
             "gen_over_scalar_gen_1t": g1 / r["genold_1t"]["trials_per_s"],
             "conditional_over_numpy": c2 / best, "reduced_over_numpy": r2 / best}
        summary["throughput"].append(s)
        lines.append(f"{r['d']:>6} {r['numpy_rank1']['trials_per_s']:>10.4g} {r['numpy_matrix']['trials_per_s']:>10.4g} "
                     f"{b1:>10.4g} {b2:>10.4g} {b2 / best:>8.2f} {b2 / b1:>6.2f} {g1:>10.4g} {g2:>10.4g} "
                     f"{b1 / g1:>9.2f} {r['genold_1t']['trials_per_s']:>9.4g} {c2:>10.4g} {c2 / best:>8.1f} "
                     f"{r2:>11.4g} {r2 / best:>9.0f}")
    lines.append("   (trial/gen: brute trials/s over the rate of only drawing its normals, 1 thread;"
                 " old gen: scalar NormalRow, 1 thread)")
    lines.append("")
    lines.append("== Variance reduction at d = n = m = 40, risk at the exact optimal step, 2 threads ==")
    lines.append(f"{'init':>10} {'estimator':>12} {'trials/s':>10} {'se':>10} {'var x s/trial':>14} "
                 f"{'compute factor':>15} {'half-width after 1 s':>21}")
    for r in res["variance"]:
        vb = r["brute"]["var_x_seconds"]
        for est in ("brute", "conditional", "reduced"):
            v = r[est]["var_x_seconds"]
            summary["variance"].append({"init": r["init"], "estimator": est, "var_x_seconds": v,
                                        "compute_factor_vs_brute": vb / v, "half_width_after_1s": 1.96 * math.sqrt(v)})
            lines.append(f"{r['init']:>10} {est:>12} {r[est]['trials_per_s']:>10.4g} {r[est]['se']:>10.3g} {v:>14.3g} "
                         f"{vb / v:>15.1f} {1.96 * math.sqrt(v):>21.3g}")
    lines.append("   (compute factor: brute's (variance x seconds per trial) over the estimator's = compute saved"
                 " for the same interval)")
    lines.append("")
    lines.append(f"== Cost growth: seconds per trial against one of d, n, m (others {BASE}), 1 thread ==")
    lines.append(f"{'estimator':>12} {'var':>4} {'fitted exp':>10} {'predicted':>10}   seconds per trial at "
                 + " ".join(str(x) for x in grid))
    for s in res["scaling"]:
        summary["scaling"].append({k: s[k] for k in ("estimator", "variable", "fitted_exponent", "predicted_exponent")})
        lines.append(f"{s['estimator']:>12} {s['variable']:>4} {s['fitted_exponent']:>10.2f} {s['predicted_exponent']:>10.2f}   "
                     + " ".join(f"{p['seconds_per_trial']:.3g}" for p in s["points"]))
    print("\n".join(lines))

    doc = {"machine": {"cpu": cpu_model(), "logical_cpus": os.cpu_count(), "kernel": platform.release(),
                       "load_average_at_start": os.getloadavg()},
           "compiler": a.compiler, "threads": [1, 2], "date": datetime.datetime.now().astimezone().isoformat(),
           "python": a.python, "secs": secs, "reps": reps, "wall_seconds": time.time() - t_start,
           "git": subprocess.run(["git", "-C", here, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip(),
           "summary": summary, "raw": res, "table": lines}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, a.out)
    log(f"wrote {a.out}")


if __name__ == "__main__":
    main()
