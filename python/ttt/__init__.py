"""ttt: one-step test-time training (TTT) for one-layer linear attention (Gozeten et al., ICML 2025).

The closed forms and the Monte Carlo engine of the C++ library, for notebooks; the same numbers as the
`ttt` command line (`ttt theory`, `ttt crossing`, `ttt mc`):

    >>> import ttt
    >>> ttt.theory(40, 40, 40, init="pretrained")           # dict(eta_star, loss_before, loss_after, gain)
    >>> ttt.crossing(40, 40)                                # dict(m_star, crossing)
    >>> ttt.mc(40, 40, 40, "pretrained", eta_star=True, trials=100_000, seed=1)
    >>> ttt.GaussianTaskSampler([1.0] * 8, 0.0, 16, 4).sample([0.5] * 8, seed=1, index=0)

Monte Carlo results are a pure function of (seed, trial index): the same bytes for any thread count.
Bad arguments raise ValueError. See docs/python.md.
"""
from ._core import GaussianTaskSampler, __version__, crossing, mc, theory

__all__ = ["theory", "crossing", "mc", "GaussianTaskSampler", "__version__"]
