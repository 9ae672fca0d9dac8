"""ttt.GaussianTaskSampler: shapes, the model y = X beta + eps, reproducibility from (seed, index), no copies."""
import numpy as np
import pytest

import ttt


def test_sample_shapes_and_noiseless_labels():
    d, n, m = 6, 10, 4
    s = ttt.GaussianTaskSampler(np.ones(d), 0.0, n, m)
    assert (s.d, s.n, s.m) == (d, n, m)
    beta = np.linspace(-1, 1, d)
    r = s.sample(beta, seed=1, index=0)
    assert r["X"].shape == (n, d) and r["y"].shape == (n,)
    assert r["X_tr"].shape == (m, d) and r["y_tr"].shape == (m,)
    np.testing.assert_allclose(r["y"], r["X"] @ beta, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(r["y_tr"], r["X_tr"] @ beta, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(r["beta"], beta)
    assert not r["X"].flags.owndata  # the Eigen buffer, owned by a capsule


def test_reproducible_from_seed_and_index():
    s = ttt.GaussianTaskSampler([1.0, 2.0, 0.5], 0.1, 5, 3)
    a = s.sample([1, 0, 0], seed=7, index=3)
    b = s.sample([1, 0, 0], seed=7, index=3)
    c = s.sample([1, 0, 0], seed=7, index=4)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["X"], c["X"])
    np.testing.assert_array_equal(s.design(7, 3, 1, 5), a["X"])  # stream 1: the context rows


def test_covariance_of_the_rows():
    sx = np.array([1.0, 4.0, 0.25])
    s = ttt.GaussianTaskSampler(sx, 0.0, 1, 0)
    X = np.vstack([s.design(11, i, 1, 200) for i in range(50)])
    np.testing.assert_allclose(X.var(axis=0), sx, rtol=0.05)


def test_sample_task():
    b = ttt.GaussianTaskSampler.sample_task(np.full(5, 2.0), seed=1, index=2)
    assert b.shape == (5,)
    np.testing.assert_array_equal(b, ttt.GaussianTaskSampler.sample_task([2.0] * 5, 1, 2))


@pytest.mark.parametrize("args,message", [
    (([], 0.0, 4, 2), "sx must have d >= 1 entries"),
    (([1.0, -1.0], 0.0, 4, 2), "sx must be >= 0"),
    (([1.0], -0.1, 4, 2), "sigma2 must be >= 0"),
    (([1.0], 0.0, 0, 2), "n must be >= 1"),
    (([1.0], 0.0, 4, -1), "m must be between"),
    (([[1.0, 1.0]], 0.0, 4, 1), "sx must be one-dimensional"),
    (([float("inf")], 0.0, 4, 1), "sx must be a finite number"),
])
def test_sampler_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        ttt.GaussianTaskSampler(*args)


def test_sample_bad_beta():
    s = ttt.GaussianTaskSampler([1.0, 1.0], 0.0, 4, 2)
    with pytest.raises(ValueError, match="beta must have d = 2 entries"):
        s.sample([1.0], 1, 0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        s.sample([1.0, 1.0], -1, 0)
