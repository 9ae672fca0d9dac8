"""Shared helpers of the plot scripts: argument parsing, CSV reading, saving PNG and PDF."""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 130, "font.size": 9, "axes.grid": True, "grid.alpha": 0.3})


def parse(name):
    p = argparse.ArgumentParser(description=f"Plot the {name} simulation from its CSV files.")
    p.add_argument("--dir", default=os.path.join("results", name), help="the simulation's output directory")
    return p.parse_args()


def read(directory, file):
    path = os.path.join(directory, file)
    if not os.path.exists(path):
        sys.exit(f"plot: missing {path}: run the simulation first")
    with open(path) as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        row = {}
        for k, v in r.items():
            try:
                row[k] = float(v)
            except ValueError:
                row[k] = v
        out.append(row)
    return out


def column(rows, key, **where):
    return [r[key] for r in rows if all(r[k] == v for k, v in where.items())]


def errorbars(ax, rows, x, **kw):
    """Monte Carlo points with their 95% intervals (columns mc_mean/mc_ci_low/mc_ci_high unless given)."""
    mean = kw.pop("mean", "mc_mean")
    lo = kw.pop("lo", "mc_ci_low")
    hi = kw.pop("hi", "mc_ci_high")
    xs = [r[x] for r in rows]
    ys = [r[mean] for r in rows]
    err = [[r[mean] - r[lo] for r in rows], [r[hi] - r[mean] for r in rows]]
    ax.errorbar(xs, ys, yerr=err, fmt=kw.pop("fmt", "o"), ms=kw.pop("ms", 3.5), capsize=2, lw=1, **kw)


def save(fig, directory, name):
    for ext in ("png", "pdf"):
        path = os.path.join(directory, f"{name}.{ext}")
        tmp = path + ".tmp"
        fig.savefig(tmp, format=ext, bbox_inches="tight")
        os.replace(tmp, path)
    plt.close(fig)
