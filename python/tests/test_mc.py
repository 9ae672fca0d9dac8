"""ttt.mc: the numbers of `ttt mc --json`, thread independence, block and trial values without copies."""
import json
import math
import subprocess

import numpy as np
import pytest

import ttt


def cli_mc(cli, *args):
    out = subprocess.run([cli, "mc", *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("estimator", ["brute", "fresh", "conditional", "reduced"])
def test_mc_matches_cli(cli, estimator):
    py = ttt.mc(12, 10, 6, "pretrained", eta_star=True, trials=2000, seed=5, estimator=estimator, block_size=64)
    ref = cli_mc(cli, "--d", "12", "--n", "10", "--m", "6", "--init", "pretrained", "--eta-star", "--trials", "2000",
                 "--seed", "5", "--estimator", estimator, "--block-size", "64")
    assert py == ref


def test_mc_zero_init_with_noise_matches_cli(cli):
    py = ttt.mc(16, 20, 8, "zero", eta=0.4, trials=5000, seed=2, sigma2=0.25, beta_norm2=2.0)
    ref = cli_mc(cli, "--d", "16", "--n", "20", "--m", "8", "--init", "zero", "--eta", "0.4", "--trials", "5000",
                 "--seed", "2", "--sigma2", "0.25", "--beta-norm2", "2")
    assert py == ref
    assert py["estimator"] == "reduced"


def test_mc_independent_of_threads():
    a = ttt.mc(20, 20, 10, "pretrained", eta_star=True, trials=3000, seed=9, estimator="brute", threads=1,
               values="blocks")
    b = ttt.mc(20, 20, 10, "pretrained", eta_star=True, trials=3000, seed=9, estimator="brute", threads=2,
               values="blocks")
    va, vb = a.pop("values"), b.pop("values")
    assert a == b
    assert np.array_equal(va, vb)


def test_mc_agrees_with_theory():
    th = ttt.theory(40, 40, 40, init="pretrained")
    r = ttt.mc(40, 40, 40, "pretrained", eta_star=True, trials=200_000, seed=1)
    assert abs(r["mean"] - th["loss_after"]) <= 5 * r["stderr"]
    assert r["ci_low"] < r["mean"] < r["ci_high"]
    assert r["trials"] == 200_000


def test_block_values():
    r = ttt.mc(8, 8, 4, "zero", eta=0.1, trials=1000, seed=3, estimator="brute", block_size=128, values="blocks")
    v = r["values"]
    assert isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == (8,)  # ceil(1000 / 128)
    counts = np.array([128] * 7 + [1000 - 7 * 128])
    assert math.isclose(float(np.dot(v, counts)) / 1000, r["mean"], rel_tol=1e-12)


def test_trial_values_no_copy_and_consistent():
    r = ttt.mc(8, 8, 4, "pretrained", eta=0.05, trials=4000, seed=3, estimator="brute", values="trials")
    v = r.pop("values")
    assert v.shape == (4000,) and v.dtype == np.float64
    assert not v.flags.owndata and v.base is not None  # a view of the C++ buffer, owned by a capsule
    assert math.isclose(float(v.mean()), r["mean"], rel_tol=1e-11)
    assert math.isclose(float(v.std(ddof=1)) / math.sqrt(4000), r["stderr"], rel_tol=1e-9)
    del r
    w = v.copy()
    assert np.array_equal(v, w)  # the buffer outlives the result dict
    # A trial is a pure function of (seed, trial): a longer run starts with the same trials.
    longer = ttt.mc(8, 8, 4, "pretrained", eta=0.05, trials=5000, seed=3, estimator="brute", values="trials")
    assert np.array_equal(longer["values"][:4000], v)


@pytest.mark.parametrize("kwargs,message", [
    (dict(d=0), "d must be >= 1"),
    (dict(init="warm"), "init must be one of"),
    (dict(eta=None, eta_star=False), "give exactly one of eta=E and eta_star=True"),
    (dict(eta=0.1, eta_star=True), "give exactly one of"),
    (dict(eta=float("nan"), eta_star=False), "eta must be a finite number"),
    (dict(trials=0), "trials must be >= 1"),
    (dict(seed=-1), "seed must be >= 0"),
    (dict(seed=2**64), "seed must be < 2\\^64"),
    (dict(threads=0), "threads must be >= 1 or None"),
    (dict(block_size=0), "block_size must be between"),
    (dict(estimator="exact"), "estimator must be one of"),
    (dict(values="all"), "values must be one of"),
    (dict(sigma2=-0.5), "sigma2 must be >= 0"),
    (dict(sigma2=0.5), "no exact optimal step for pretrained init with label noise"),
    (dict(eval_prompts=0), "eval_prompts must be >= 1"),
])
def test_mc_bad_input_raises_value_error(kwargs, message):
    args = dict(d=8, n=8, m=4, init="pretrained", eta_star=True, trials=100, seed=1)
    args.update(kwargs)
    if args.get("eta") is not None and "eta_star" not in kwargs:
        args["eta_star"] = False
    with pytest.raises(ValueError, match=message):
        ttt.mc(**args)
