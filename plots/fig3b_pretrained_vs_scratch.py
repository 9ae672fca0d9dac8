"""Fig. 3b: loss after full-parameter TTT against m, pre-trained vs scratch softmax transformer, with the crossing."""
from _common import parse, read, errorbars, save, plt

a = parse("fig3b_pretrained_vs_scratch")
curve, diff, cr = read(a.dir, "curve.csv"), read(a.dir, "diff.csv"), read(a.dir, "crossings.csv")
fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
for init, color in (("pretrained", "C0"), ("scratch", "C2")):
    rows = [r for r in curve if r["init"] == init and r["m"] > 0]
    errorbars(ax, rows, "m", color=color, fmt="o-", label=f"{init} + TTT (95% CI)")
    base = [r for r in curve if r["init"] == init and r["m"] == 0]
    if base:
        ax.axhline(base[0]["mc_mean"], color=color, ls="--", lw=1, label=f"{init}, no TTT")
for r in cr:
    if r["m_star"] == r["m_star"]:  # not NaN
        ax.axvline(r["m_star"], color="orange", lw=1.5, label=f"measured crossing {r['m_star']:.1f}")
        hi = r["ci_high"] if r["ci_high"] != float("inf") else ax.get_xlim()[1]
        ax.axvspan(r["ci_low"], hi, color="orange", alpha=0.25, label=f"CI [{r['ci_low']:.1f}, {r['ci_high']:.1f}]")
    ax.axvline(r["exact"], color="k", lw=1, label=f"linear exact m* = {r['exact']:.1f}")
    ax.axvline(r["leading"], color="k", ls=":", lw=1, label=f"Cor 4.6 m* = {r['leading']:.1f}")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xlabel("m (test-time samples)")
ax.set_ylabel("MSE on fresh prompts of the task")
ax.set_title("pre-trained vs scratch, full-parameter TTT")
ax.legend(fontsize=7)
errorbars(bx, diff, "m", mean="diff_pretrained_minus_scratch", lo="ci_low", hi="ci_high", color="C3", fmt="o-")
bx.axhline(0, color="k", lw=1)
bx.set_xscale("log", base=2)
bx.set_yscale("symlog", linthresh=0.1)
bx.set_xlabel("m (test-time samples)")
bx.set_ylabel("loss(pre-trained) - loss(scratch)")
bx.set_title("difference (< 0: pre-trained better), 95% bootstrap CI")
save(fig, a.dir, "fig3b_pretrained_vs_scratch")
