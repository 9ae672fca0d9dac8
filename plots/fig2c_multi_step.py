"""Fig. 2c: loss against the number of TTT steps, eta_t = eta* delta^(t-1)."""
from _common import parse, read, save, plt

a = parse("fig2c_multi_step")
rows = read(a.dir, "multi_step.csv")
inits = ["pretrained", "zero"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
for ax, init in zip(axes, inits):
    r0 = [r for r in rows if r["init"] == init]
    deltas = sorted({r["delta"] for r in r0})
    before, one = r0[0]["loss_before"], r0[0]["loss_one_step_exact"]
    ax.axhline(before, color="gray", lw=1, label="before TTT")
    ax.axhline(one, color="k", ls=":", lw=1, label="one step, exact")
    for k, dl in enumerate(deltas):
        s = [r for r in r0 if r["delta"] == dl]
        t = [0] + [r["step"] for r in s]
        y = [before] + [r["mc_mean"] for r in s]
        e = [0] + [r["mc_ci_high"] - r["mc_mean"] for r in s]
        ax.errorbar(t, y, yerr=e, marker="o", ms=3, capsize=2, lw=1, label=rf"$\delta = {dl:g}$", color=f"C{k}")
    ax.set_xlabel("TTT steps t")
    ax.set_ylabel(r"$L(W_t)$ (MC, 95% CI)")
    ax.set_title(f"{init} init, d = n = m = 40")
    ax.legend(fontsize=7)
save(fig, a.dir, "fig2c_multi_step")
