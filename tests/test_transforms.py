"""Tests of helpers.transforms: each result checked by an independent computation."""

import math

import numpy as np
import pytest

from helpers import gradcheck, probability, transforms


# ----------------------------------------------------------------------------- KS distance

def test_ks_distance_of_exact_quantiles_is_half_a_step():
    # samples at the quantiles (i - 1/2) / n of the uniform CDF: the empirical CDF misses by 1/(2n)
    n = 50
    samples = (np.arange(1, n + 1) - 0.5) / n
    assert transforms.ks_distance(samples[::-1], lambda x: np.clip(x, 0, 1)) == pytest.approx(0.5 / n)


def test_ks_distance_matches_brute_force():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(40)
    # brute force: compare the empirical CDF just before and at each sample point
    xs = np.sort(x)
    F = probability.normal_cdf(xs)
    gaps = [max(abs((i + 1) / 40 - F[i]), abs(i / 40 - F[i])) for i in range(40)]
    assert transforms.ks_distance(x, probability.normal_cdf) == pytest.approx(max(gaps))


def test_ks_distance_single_sample_and_errors():
    assert transforms.ks_distance([0.0], probability.normal_cdf) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least one"):
        transforms.ks_distance([], probability.normal_cdf)
    with pytest.raises(ValueError, match="NaN"):
        transforms.ks_distance([0.0, np.nan], probability.normal_cdf)
    with pytest.raises(ValueError, match="dimension"):
        transforms.ks_distance(np.zeros((2, 2)), probability.normal_cdf)
    with pytest.raises(ValueError, match="shape"):
        transforms.ks_distance([0.0, 1.0], lambda x: 0.5)


def test_kolmogorov_sf_known_values():
    # classical critical values of the Kolmogorov distribution: 1.36 (5 %), 1.63 (1 %), 1.95 (0.1 %)
    assert transforms.kolmogorov_sf(1.36) == pytest.approx(0.049, abs=1e-3)
    assert transforms.kolmogorov_sf(1.63) == pytest.approx(0.010, abs=5e-4)
    assert transforms.kolmogorov_sf(1.95) == pytest.approx(0.001, abs=1e-4)
    ts = np.linspace(0.3, 3, 30)
    vals = [transforms.kolmogorov_sf(t) for t in ts]
    assert np.all(np.diff(vals) < 0) and vals[0] <= 1 and vals[-1] > 0
    assert transforms.kolmogorov_sf(0.0) == 1.0
    with pytest.raises(ValueError, match=">= 0"):
        transforms.kolmogorov_sf(-1.0)
    with pytest.raises(ValueError):
        transforms.kolmogorov_sf(1.0, terms=0)


def test_ks_distance_of_correct_sampler_is_small_and_wrong_one_large():
    rng = np.random.default_rng(1)
    n = 20_000
    x = rng.standard_normal(n)
    assert transforms.ks_distance(x, probability.normal_cdf) < 1.95 / math.sqrt(n)
    assert transforms.ks_distance(1.1 * x, probability.normal_cdf) > 3 / math.sqrt(n)


# ----------------------------------------------------------------------------- Box-Muller

def test_box_muller_radius_and_angle():
    u1 = np.array([1.0, 0.5, 0.1, np.exp(-2.0)])
    u2 = np.array([0.0, 0.25, 0.5, 0.125])
    z1, z2 = transforms.box_muller(u1, u2)
    assert np.allclose(z1 ** 2 + z2 ** 2, -2 * np.log(u1))
    assert np.allclose(z1[3], math.sqrt(2)) and np.allclose(z2[3], math.sqrt(2))   # r = 2, angle pi/4
    assert np.allclose(z1[1], 0, atol=1e-15) and z2[1] > 0


def test_box_muller_samples_are_standard_normal():
    rng = np.random.default_rng(2)
    n = 50_000
    z1, z2 = transforms.box_muller(1 - rng.random(n), rng.random(n))
    for z in (z1, z2):
        probability.assert_within_se(z.mean(), 0.0, 1 / math.sqrt(n))
        probability.assert_within_se(z.var(), 1.0, math.sqrt(2 / n))
        assert transforms.ks_distance(z, probability.normal_cdf) < 1.95 / math.sqrt(n)
    probability.assert_within_se(np.mean(z1 * z2), 0.0, 1 / math.sqrt(n))


def test_box_muller_errors():
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        transforms.box_muller([0.0], [0.5])
    with pytest.raises(ValueError, match="same shape"):
        transforms.box_muller([0.5, 0.5], [0.5])
    with pytest.raises(ValueError, match="u2"):
        transforms.box_muller([0.5], [1.5])


# ----------------------------------------------------------------------------- sinh-arcsinh

@pytest.mark.parametrize("skew, tail, scale", [(0.0, 1.0, 1.0), (0.7, 0.6, 2.0), (-1.2, 1.8, 0.5)])
def test_sinh_arcsinh_inverse_and_density(skew, tail, scale):
    kw = dict(skew=skew, tail=tail, scale=scale)
    z = np.linspace(-4, 4, 41)
    x = transforms.sinh_arcsinh(z, **kw)
    assert np.all(np.diff(x) > 0)                                   # strictly increasing
    assert np.allclose(transforms.sinh_arcsinh_inverse(x, **kw), z, atol=1e-10)
    # the log-density = log phi(z) - log g'(z), with g' by central differences
    h = 1e-6
    g_prime = (transforms.sinh_arcsinh(z + h, **kw) - transforms.sinh_arcsinh(z - h, **kw)) / (2 * h)
    expected = np.log(probability.normal_pdf(z)) - np.log(g_prime)
    assert np.allclose(transforms.sinh_arcsinh_logpdf(x, **kw), expected, atol=1e-6)
    # total mass 1 on a fine non-uniform grid
    grid = np.sinh(np.linspace(-8, 8, 8001))
    assert transforms.grid_mass(np.exp(transforms.sinh_arcsinh_logpdf(grid, **kw)), grid) == pytest.approx(1, abs=1e-5)


def test_sinh_arcsinh_identity_and_errors():
    z = np.linspace(-3, 3, 7)
    assert np.allclose(transforms.sinh_arcsinh(z), z)
    assert np.allclose(transforms.sinh_arcsinh_logpdf(z), np.log(probability.normal_pdf(z)))
    with pytest.raises(ValueError, match="tail"):
        transforms.sinh_arcsinh(z, tail=0.0)
    with pytest.raises(ValueError, match="scale"):
        transforms.sinh_arcsinh_inverse(z, scale=-1.0)
    with pytest.raises(ValueError, match="skew"):
        transforms.sinh_arcsinh_logpdf(z, skew=np.inf)
    with pytest.raises(ValueError, match="NaN"):
        transforms.sinh_arcsinh([np.nan])


# ----------------------------------------------------------------------------- coupling flow

def _data(n=200, seed=3):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    return np.column_stack([np.cos(t), np.sin(t)]) + 0.1 * rng.standard_normal((n, 2))


def test_flow_gradient_matches_finite_differences():
    flow = transforms.CouplingFlow(deg_m=3, deg_s=2)
    X = _data()
    theta = 0.2 * np.random.default_rng(4).standard_normal(flow.n_params)
    nll, grad = flow.nll_and_grad(theta, X)
    assert nll == pytest.approx(-flow.log_prob(theta, X).mean())
    assert gradcheck.check_gradient(lambda th: flow.nll_and_grad(th, X)[0], grad, theta) < 1e-6


def test_flow_logdet_inverse_and_mass():
    flow = transforms.CouplingFlow(deg_m=2, deg_s=1)
    theta = np.array([0.1, -0.3, 0.5, 0.2, -0.4, -1.0, 0.3])
    X = _data(20)
    Z, logdet = flow.to_base(theta, X)
    for x, ld in zip(X[:4], logdet[:4]):
        J = gradcheck.numerical_jacobian(lambda v: flow.to_base(theta, v[None, :])[0][0], x)
        assert np.log(abs(np.linalg.det(J))) == pytest.approx(ld, abs=1e-6)
    assert np.allclose(flow.from_base(theta, Z), X, atol=1e-12)
    # log p(x) = log N(z; 0, I) + log|det J|
    assert np.allclose(flow.log_prob(theta, X), probability.mvn_logpdf(Z, np.zeros(2), np.eye(2)) + logdet)
    x1, x2 = np.linspace(-6, 6, 601), np.sinh(np.linspace(-6, 6, 1501))
    G1, G2 = np.meshgrid(x1, x2)
    dens = np.exp(flow.log_prob(theta, np.column_stack([G1.ravel(), G2.ravel()]))).reshape(G1.shape)
    assert transforms.grid_mass(dens, x1, x2) == pytest.approx(1, abs=1e-4)


def test_flow_of_degree_one_is_a_gaussian():
    # x1 ~ N(b, e^{2a}), x2 | x1 ~ N(c0 + c1 x1, e^{2 d0}): a 2-D Gaussian with known mean and covariance
    flow = transforms.CouplingFlow(deg_m=1, deg_s=0)
    b, a, c0, c1, d0 = 0.5, -0.2, 1.0, -0.7, 0.3
    theta = np.array([b, a, c0, c1, d0])
    v1 = np.exp(2 * a)
    mean = np.array([b, c0 + c1 * b])
    cov = np.array([[v1, c1 * v1], [c1 * v1, c1 ** 2 * v1 + np.exp(2 * d0)]])
    X = np.random.default_rng(5).standard_normal((10, 2))
    assert np.allclose(flow.log_prob(theta, X), probability.mvn_logpdf(X, mean, cov))


def test_flow_samples_and_errors():
    flow = transforms.CouplingFlow()
    assert flow.n_params == 10 and "deg_m=4" in repr(flow)
    theta = np.zeros(flow.n_params)
    S = flow.sample(theta, np.random.default_rng(6), 5000)
    assert S.shape == (5000, 2)
    probability.assert_within_se(S.mean(axis=0), [0.0, 0.0], 1 / math.sqrt(5000))
    with pytest.raises(ValueError, match=r"shape \(10,\)"):
        flow.log_prob(np.zeros(3), S)
    with pytest.raises(ValueError, match=r"shape \(any, 2\)"):
        flow.log_prob(theta, np.zeros((4, 3)))
    with pytest.raises(TypeError, match="Generator"):
        flow.sample(theta, 0, 3)
    with pytest.raises(ValueError, match="deg_m"):
        transforms.CouplingFlow(deg_m=-1)
    with pytest.raises(ValueError, match="deg_s"):
        transforms.CouplingFlow(deg_s=1.5)


# ----------------------------------------------------------------------------- units

def test_bits_per_dim():
    # uniform over 256 levels in raw units: log p = -D log 256 -> 8 bits per dimension
    assert transforms.bits_per_dim(-784 * math.log(256), 784) == pytest.approx(8.0)
    # the same density over x = v / 256 (log p = 0 there) -> still 8 bits
    assert transforms.bits_per_dim(0.0, 784, scale=256) == pytest.approx(8.0)
    out = transforms.bits_per_dim([0.0, -math.log(2) * 10], 10)
    assert isinstance(out, np.ndarray) and np.allclose(out, [0.0, 1.0])
    with pytest.raises(ValueError):
        transforms.bits_per_dim(1.0, 0)
    with pytest.raises(ValueError, match="scale"):
        transforms.bits_per_dim(1.0, 3, scale=0)


def test_grid_mass():
    x = np.linspace(0, 1, 101)
    assert transforms.grid_mass(np.ones(101), x) == pytest.approx(1.0)
    assert transforms.grid_mass(x ** 2, x) == pytest.approx(1 / 3, abs=1e-4)
    y = np.linspace(0, 2, 51)
    XX, YY = np.meshgrid(x, y)
    assert transforms.grid_mass(XX * YY, x, y) == pytest.approx(0.5 * 2.0, abs=1e-9)
    with pytest.raises(ValueError, match="increasing"):
        transforms.grid_mass(np.ones(3), [0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="shape"):
        transforms.grid_mass(np.ones((3, 3)), x, y)
