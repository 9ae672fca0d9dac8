"""Fig. 1b: loss after one optimal step against m, pre-trained (warm) and zero (cold) init, with crossings."""
from _common import parse, read, errorbars, save, plt

a = parse("fig1b_warm_cold")
curve, pts, cr = read(a.dir, "curve.csv"), read(a.dir, "points.csv"), read(a.dir, "crossings.csv")
dims = sorted({r["d"] for r in curve})
fig, axes = plt.subplots(1, len(dims), figsize=(5 * len(dims), 3.8), squeeze=False)
for ax, d in zip(axes[0], dims):
    rows = [r for r in curve if r["d"] == d]
    m = [r["m"] for r in rows]
    ax.plot(m, [r["loss_warm_exact"] for r in rows], color="C0", label="pre-trained, exact")
    ax.plot(m, [r["loss_cold_exact"] for r in rows], color="C2", label="zero init, exact")
    ax.plot(m, [r["loss_warm_leading"] for r in rows], color="C0", ls="--", lw=1, label="leading order")
    ax.plot(m, [r["loss_cold_leading"] for r in rows], color="C2", ls="--", lw=1)
    errorbars(ax, [r for r in pts if r["d"] == d and r["init"] == "pretrained"], "m", color="C0", label="MC brute (95% CI)")
    errorbars(ax, [r for r in pts if r["d"] == d and r["init"] == "zero"], "m", color="C2")
    for r in cr:
        if r["d"] != d:
            continue
        ax.axvline(r["exact"], color="k", lw=1, label=f"exact m* = {r['exact']:.1f}" if r["method"] == "brute_grid" else None)
        ax.axvline(r["leading"], color="k", ls=":", lw=1, label=f"Cor 4.6 m* = {r['leading']:.1f}" if r["method"] == "brute_grid" else None)
        if r["method"] == "reduced_continuous":
            ax.axvspan(r["ci_low"], r["ci_high"], color="orange", alpha=0.35, label=f"MC m* CI [{r['ci_low']:.1f}, {r['ci_high']:.1f}]")
    ax.set_xscale("log")
    ax.set_xlabel("m (test-time samples)")
    ax.set_ylabel(r"$L(W_{TT})$ at the optimal $\eta$")
    ax.set_title(f"d = n = {d:g}")
    ax.legend(fontsize=7)
save(fig, a.dir, "fig1b_warm_cold")
