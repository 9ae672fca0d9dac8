"""ttt.theory and ttt.crossing: the numbers of `ttt theory --json` and `ttt crossing --json`."""
import json
import math
import subprocess

import pytest

import ttt


def run_cli(cli, *args):
    out = subprocess.run([cli, *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("init,sigma2,form", [("pretrained", 0.0, "exact"), ("zero", 0.0, "exact"),
                                              ("zero", 0.5, "exact"), ("pretrained", 0.0, "leading"),
                                              ("zero", 0.0, "leading")])
def test_theory_matches_cli(cli, init, sigma2, form):
    py = ttt.theory(40, 30, 20, init=init, sigma2=sigma2, beta_norm2=1.5, form=form)
    ref = run_cli(cli, "theory", "--d", "40", "--n", "30", "--m", "20", "--init", init, "--sigma2", repr(sigma2),
                  "--beta-norm2", "1.5", "--form", form)
    assert py == ref  # exact: the same headers, and JSON round-trips doubles


def test_theory_keywords_and_identities():
    r = ttt.theory(d=40, n=40, m=40, init="pretrained")
    assert set(r) == {"eta_star", "loss_before", "loss_after", "gain"}
    assert r["gain"] > 0 and r["eta_star"] > 0
    assert math.isclose(r["loss_before"] - r["gain"], r["loss_after"], rel_tol=1e-14)


@pytest.mark.parametrize("d,n", [(40, 40), (10, 200), (100, 20)])
def test_crossing_matches_cli(cli, d, n):
    for form in ("exact", "leading"):
        assert ttt.crossing(d, n, form=form) == run_cli(cli, "crossing", "--d", str(d), "--n", str(n), "--form", form)


def test_crossing_is_where_zero_init_overtakes_pretrained():
    m_star = ttt.crossing(40, 40)["m_star"]
    assert m_star is not None and m_star > 1
    below, above = max(1, math.floor(m_star / 2)), math.ceil(2 * m_star)
    loss = lambda m, init: ttt.theory(40, 40, m, init=init)["loss_after"]
    assert loss(below, "pretrained") < loss(below, "zero")
    assert loss(above, "zero") < loss(above, "pretrained")


@pytest.mark.parametrize("kwargs,message", [
    (dict(d=0, n=4, m=4), "d must be >= 1"),
    (dict(d=4, n=-1, m=4), "n must be >= 1"),
    (dict(d=4, n=4, m=2**31), "m must be <= 2147483647"),
    (dict(d=4, n=4, m=4, init="warm"), "init must be one of"),
    (dict(d=4, n=4, m=4, form="approx"), "form must be one of"),
    (dict(d=4, n=4, m=4, sigma2=-1.0), "sigma2 must be >= 0"),
    (dict(d=4, n=4, m=4, sigma2=float("nan")), "sigma2 must be a finite number"),
    (dict(d=4, n=4, m=4, beta_norm2=0.0), "beta_norm2 must be > 0"),
    (dict(d=4, n=4, m=4, sigma2=0.1), "no exact one-step form for pretrained init with label noise"),
    (dict(d=4, n=4, m=4, init="zero", sigma2=0.1, form="leading"), "no leading-order form"),
])
def test_theory_bad_input_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ttt.theory(**kwargs)


def test_crossing_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="d must be >= 1"):
        ttt.crossing(0, 4)
    with pytest.raises(ValueError, match="form must be one of"):
        ttt.crossing(4, 4, form="x")
