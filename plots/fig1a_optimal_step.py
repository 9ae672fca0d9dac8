"""Fig. 1a: loss before and after one optimal TTT step against alpha = n/d, several gamma = m/d."""
from _common import parse, read, errorbars, save, plt

a = parse("fig1a_optimal_step")
curve, pts = read(a.dir, "curve.csv"), read(a.dir, "points.csv")
d_mc = pts[0]["d"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
ax = axes[0]
gammas = sorted({r["gamma"] for r in pts})
colors = plt.cm.viridis([i / max(1, len(gammas) - 1) * 0.85 for i in range(len(gammas))])
base = [r for r in curve if r["d"] == d_mc and r["gamma"] == gammas[0]]
ax.plot([r["alpha"] for r in base], [r["loss_before"] for r in base], color="gray", lw=1.5, label=r"$L(W^\star)$ (no TTT)")
for g, c in zip(gammas, colors):
    rows = [r for r in curve if r["d"] == d_mc and r["gamma"] == g]
    ax.plot([r["alpha"] for r in rows], [r["loss_after_exact"] for r in rows], color=c, lw=1.5, label=rf"$\gamma={g:g}$ exact")
    ax.plot([r["alpha"] for r in rows], [r["loss_after_leading"] for r in rows], color=c, lw=1, ls="--")
    errorbars(ax, [r for r in pts if r["gamma"] == g], "alpha", color=c)
ax.set_xscale("log")
ax.set_xlabel(r"$\alpha = n/d$")
ax.set_ylabel(r"$L(W_{TT})$ at $\eta^\star$  ($\|\beta\|^2=1$)")
ax.set_title(f"d = {d_mc:g}: exact (solid), leading (dashed), MC (95% CI)", fontsize=8)
ax.legend(fontsize=7)
ax = axes[1]
tp = read(a.dir, "turning_point.csv")
for g, c in zip(gammas, colors):
    rows = [r for r in curve if r["d"] == 10240 and r["gamma"] == g]
    ax.plot([r["alpha"] for r in rows], [r["loss_after_exact"] for r in rows], color=c, lw=1.5, label=rf"$\gamma={g:g}$")
    t = [r for r in tp if r["gamma"] == g and r["d"] == 10240]
    if t and t[0]["alpha0_leading"] == t[0]["alpha0_leading"]:
        ax.axvline(t[0]["alpha0_leading"], color=c, ls=":", lw=1)
        if t[0]["alpha_exact"] == t[0]["alpha_exact"]:
            ax.plot([t[0]["alpha_exact"]], [0.5], marker="v", color=c)
ax.set_xscale("log")
ax.set_xlim(0.05, 2)
ax.set_ylim(0.25, 1.0)
ax.set_xlabel(r"$\alpha = n/d$")
ax.set_ylabel(r"exact $L(W_{TT})$")
ax.set_title(r"d = 10240: Cor 4.4 $\alpha_0$ (dotted), exact maximum ($\blacktriangledown$)", fontsize=8)
ax.legend(fontsize=7)
save(fig, a.dir, "fig1a_optimal_step")
