"""Relative error of Thm 4.2's leading order against the exact form, against d (Remark 4.3)."""
from _common import parse, read, save, plt

a = parse("convergence")
rows = read(a.dir, "convergence.csv")
pairs = sorted({(r["alpha"], r["gamma"]) for r in rows})
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
for k, (al, g) in enumerate(pairs):
    s = [r for r in rows if r["alpha"] == al and r["gamma"] == g]
    d = [r["d"] for r in s]
    axes[0].loglog(d, [r["eta_rel_error"] for r in s], "o-", ms=3, color=f"C{k}", label=rf"$\alpha={al:g},\gamma={g:g}$")
    axes[1].loglog(d, [r["delta_rel_error"] for r in s], "o-", ms=3, color=f"C{k}", label=rf"$\alpha={al:g},\gamma={g:g}$")
for ax, q in zip(axes, [r"$\eta^\star$", r"$\Delta$"]):
    d = sorted({r["d"] for r in rows})
    ax.loglog(d, [8 / x for x in d], "k:", lw=1, label=r"$8/d$")
    ax.set_xlabel("d")
    ax.set_ylabel(f"leading / exact - 1 for {q}")
    ax.legend(fontsize=7)
axes[0].set_title("Thm 4.2 leading order: relative error of the optimal step")
axes[1].set_title("relative error of the gain (MC confirms the exact gain at each d)")
save(fig, a.dir, "convergence")
