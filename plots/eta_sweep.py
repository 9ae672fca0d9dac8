"""The Monte Carlo risk after one step against eta, with the exact and leading-order optimal steps."""
from _common import parse, read, save, plt

a = parse("eta_sweep")
curve, summ = read(a.dir, "curve.csv"), read(a.dir, "summary.csv")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
for ax, init in zip(axes, ["pretrained", "zero"]):
    r = [x for x in curve if x["init"] == init]
    s = [x for x in summ if x["init"] == init][0]
    eta = [x["eta"] for x in r]
    ax.plot(eta, [x["risk_exact"] for x in r], color="k", lw=1.2, label="exact quadratic")
    ax.fill_between(eta, [x["mc_ci_low"] for x in r], [x["mc_ci_high"] for x in r], color="C0", alpha=0.3, label="MC 95% band")
    ax.plot(eta[::15], [x["mc_mean"] for x in r][::15], "o", ms=3, color="C0", label="MC mean")
    ax.axvline(s["eta_star_exact"], color="k", ls="-", lw=0.8, label=r"exact $\eta^\star$")
    ax.axvline(s["eta_star_leading"], color="C3", ls="--", lw=1, label=r"leading $\eta^\star$")
    ax.axvspan(s["delta_ci_low"], s["delta_ci_high"], color="orange", alpha=0.5, label=r"MC argmin 95% CI")
    ax.set_xlabel(r"$\eta$")
    ax.set_ylabel(r"$E\,L(W_{TT})$")
    ax.set_title(f"{init} init, d = n = m = 40 (brute force)")
    ax.legend(fontsize=7)
save(fig, a.dir, "eta_sweep")
