"""Fig. 2a/2b: warm vs cold start under task-prior alignment."""
from _common import parse, read, errorbars, save, plt

a = parse("fig2ab_alignment")
curve, pts, cr = read(a.dir, "curve.csv"), read(a.dir, "points.csv"), read(a.dir, "crossings.csv")
d = sorted({r["d"] for r in curve})[0]
cases = ["best", "mixed", "worst", "worst0", "rank_one"]
fig, axes = plt.subplots(1, len(cases), figsize=(4 * len(cases), 3.6))
for ax, cs in zip(axes, cases):
    rows = [r for r in curve if r["d"] == d and r["case"] == cs]
    m = [r["m"] for r in rows]
    ax.plot(m, [r["loss_warm_semi"] for r in rows], color="C1", label="pre-trained (semi-analytic)")
    ax.plot(m, [r["loss_cold_semi"] for r in rows], color="C2", label="zero init (semi-analytic)")
    ax.plot(m, [r["loss_warm_leading"] for r in rows], color="C1", ls="--", lw=1, label="Thm 5.3 leading")
    ax.plot(m, [r["loss_cold_leading"] for r in rows], color="C2", ls="--", lw=1)
    p = [r for r in pts if r["d"] == d and r["case"] == cs]
    if p:
        errorbars(ax, [r for r in p if r["init"] == "pretrained"], "m", mean="mc_min", color="C1", label="MC brute (95% CI)")
        errorbars(ax, [r for r in p if r["init"] == "zero"], "m", mean="mc_min", color="C2")
    c = [r for r in cr if r["d"] == d and r["case"] == cs][0]
    if c["m_star_semi"] == c["m_star_semi"]:
        ax.axvline(c["m_star_semi"], color="k", lw=1, label=f"semi-analytic m* = {c['m_star_semi']:.1f}")
    if c["m_star_leading"] > 0:
        ax.axvline(c["m_star_leading"], color="k", ls=":", lw=1, label=f"Cor 5.4 m* = {c['m_star_leading']:.1f}")
    if c["m_star_brute"] == c["m_star_brute"]:
        ax.axvspan(c["brute_ci_low"], c["brute_ci_high"], color="orange", alpha=0.35, label="MC m* 95% CI")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("m")
    ax.set_title(f"{cs} (d = n = {d:g})")
    ax.legend(fontsize=6)
axes[0].set_ylabel(r"$L(W_{TT})$ at the optimal $\eta$")
save(fig, a.dir, "fig2ab_alignment")
