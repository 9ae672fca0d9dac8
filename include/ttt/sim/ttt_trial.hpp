// ttt/sim/ttt_trial.hpp: Monte Carlo trials of test-time training for the collapsed linear-attention model
// (Gozeten et al., ICML 2025) with diagonal Sx = diag(mu), a fixed test task beta, label noise sigma2 and a
// diagonal initialisation W0 = diag(w). Every trial is a pure function of (seed, trial index).
//
// One-step trials return components x (K of them) whose linear images are the coefficients of the trial's
// risk after one step, risk(eta) = c0 + 2 eta lin + eta^2 quad, exact in eta (W_TT is affine in eta and
// the loss quadratic in W); `coefficients(m)` gives the 3 x K map. So one run yields the whole eta curve.
//
// Estimators:
//   brute        draws X, y, X_tr, y_tr ((n+m) d normals); loss of W_TT exact by Lemma B.2 (rank-one form).
//                The designs' normals come from <ttt/random/normal_block.hpp> (vectorized Philox and
//                Box-Muller with the library's own log and sincos), a block of rows at a time.
//   fresh        brute, but the loss measured on fresh prompts (context and query) instead of Lemma B.2.
//   conditional  draws X, y only; integrates X_tr, y_tr and the evaluation prompt exactly (THEORY.md sec. 3,
//                with noise: <ttt/theory/semi_analytic.hpp>); m enters only through coefficients(m).
//   reduced      Sx = I, W0 = c I: draws the context's sufficient statistics (chi-square variates, O(1) per
//                trial) exactly in distribution, then integrates like `conditional`.
#pragma once

#include <ttt/random/gamma.hpp>
#include <ttt/random/normal.hpp>
#include <ttt/random/normal_block.hpp>
#include <ttt/theory/rank_one_loss.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ttt::sim {

enum class Estimator { brute, fresh, conditional, reduced };

inline const char* estimator_name(Estimator e) {
  switch (e) {
    case Estimator::brute: return "brute";
    case Estimator::fresh: return "fresh";
    case Estimator::conditional: return "conditional";
    case Estimator::reduced: return "reduced";
  }
  return "?";
}

inline Estimator parse_estimator(const std::string& s) {
  if (s == "brute") return Estimator::brute;
  if (s == "fresh") return Estimator::fresh;
  if (s == "conditional") return Estimator::conditional;
  if (s == "reduced") return Estimator::reduced;
  throw std::invalid_argument("unknown estimator '" + s + "' (brute|fresh|conditional|reduced)");
}

/// Host description of a TTT Monte Carlo setting.
struct TttSetting {
  int d = 0, n = 0, m = 0;
  double sigma2 = 0;
  std::vector<double> sx;    // diagonal of Sx (d)
  std::vector<double> beta;  // the fixed test task (d)
  std::vector<double> w0;    // diagonal of W0 (d)
  std::uint64_t seed = 0;
  int eval_prompts = 1;      // fresh estimator: evaluation prompts per trial

  void validate() const {
    if (d < 1 || n < 1 || m < 1) throw std::invalid_argument("TTT setting: need d, n, m >= 1");
    if (!(sigma2 >= 0) || !std::isfinite(sigma2)) throw std::invalid_argument("TTT setting: sigma2 must be finite and >= 0");
    if (sx.size() != std::size_t(d) || beta.size() != std::size_t(d) || w0.size() != std::size_t(d))
      throw std::invalid_argument("TTT setting: sx, beta and w0 must have d entries");
    for (int i = 0; i < d; ++i)
      if (!(sx[std::size_t(i)] >= 0) || !std::isfinite(beta[std::size_t(i)]) || !std::isfinite(w0[std::size_t(i)]))
        throw std::invalid_argument("TTT setting: sx must be >= 0 and beta, w0 finite");
    if (eval_prompts < 1) throw std::invalid_argument("TTT setting: eval_prompts must be >= 1");
  }

  bool isotropic_scaled_identity() const {
    for (int i = 0; i < d; ++i)
      if (sx[std::size_t(i)] != 1.0 || w0[std::size_t(i)] != w0[0]) return false;
    return true;
  }

  double beta_norm2() const {
    double b = 0;
    for (double v : beta) b += v * v;
    return b;
  }

  /// Packed arrays [sqrt(sx) | sx | beta | w0] in Real, for host or device memory.
  template <class Real>
  std::vector<Real> packed() const {
    std::vector<Real> a(4 * std::size_t(d));
    for (std::size_t i = 0; i < std::size_t(d); ++i) {
      a[i] = static_cast<Real>(std::sqrt(sx[i]));
      a[std::size_t(d) + i] = static_cast<Real>(sx[i]);
      a[2 * std::size_t(d) + i] = static_cast<Real>(beta[i]);
      a[3 * std::size_t(d) + i] = static_cast<Real>(w0[i]);
    }
    return a;
  }
};

/// Parameters every trial functor carries (trivially copyable; `arrays` points at host or device memory).
template <class Real>
struct TrialParams {
  int d, n, m;
  Real sigma, sigma2;
  std::uint64_t seed;
  const Real* arrays;  // packed [sqrt(sx) | sx | beta | w0]
  theory::DiagonalLossParts<Real> parts;

  TTT_HOST_DEVICE const Real* sqrt_sx() const { return arrays; }
  TTT_HOST_DEVICE const Real* sx() const { return arrays + d; }
  TTT_HOST_DEVICE const Real* beta() const { return arrays + 2 * d; }
  TTT_HOST_DEVICE const Real* w0() const { return arrays + 3 * d; }
};

template <class Real>
TrialParams<Real> make_params(const TttSetting& s, const Real* arrays, const std::vector<Real>& host_arrays) {
  TrialParams<Real> p;
  p.d = s.d;
  p.n = s.n;
  p.m = s.m;
  p.sigma2 = static_cast<Real>(s.sigma2);
  p.sigma = static_cast<Real>(std::sqrt(s.sigma2));
  p.seed = s.seed;
  p.arrays = arrays;
  const std::size_t d = std::size_t(s.d);
  p.parts = theory::diagonal_loss_parts(host_arrays.data() + d, host_arrays.data() + 3 * d, host_arrays.data() + 2 * d, s.d);
  return p;
}

namespace detail {

/// Rows of a design generated per block: about 4 KiB of normals, so that a block stays in L1 while the trial
/// consumes it (at least one row).
TTT_HOST_DEVICE inline int design_chunk_rows(int d) { return d >= 512 ? 1 : 512 / d; }

/// Scratch Reals accumulate_design needs: the row block and the scaled direction.
TTT_HOST_DEVICE inline std::size_t design_scratch_size(int d) {
  return std::size_t(design_chunk_rows(d)) * std::size_t(d) + std::size_t(d);
}

/// sum_j a_j b_j with 8 partial sums in a fixed order (vectorizes; the order does not depend on the target).
template <class Real>
TTT_HOST_DEVICE TTT_FORCEINLINE Real dot8(const Real* a, const Real* b, int d) {
  Real part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int j = 0;
  for (; j + 8 <= d; j += 8)
    for (int l = 0; l < 8; ++l) part[l] = static_cast<Real>(random::vm::fmadd(a[j + l], b[j + l], part[l]));
  for (int l = 0; j < d; ++j, ++l) part[l] = static_cast<Real>(random::vm::fmadd(a[j], b[j], part[l]));
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

/// Draws `rows` rows of a design with covariance diag(sx) from `stream`, and accumulates
/// acc += sum_i (x_i'v + sigma eps_i) x_i, with eps from `noise_stream`: X^T y when v = beta, and the
/// test-time gradient direction X_tr^T (y_tr - X_tr W u) when v = beta - W u.
/// With x_i = sqrt(sx) o z_i: x_i'v = z_i'(sqrt(sx) o v) and acc = sqrt(sx) o sum_i y_i z_i, so the normals
/// are consumed as generated, a block of rows at a time (buf: design_scratch_size(d) Reals).
template <class Real>
TTT_HOST_DEVICE void accumulate_design(const TrialParams<Real>& p, std::uint64_t trial, std::uint32_t stream,
                                       std::uint32_t noise_stream, int rows, const Real* v, Real* buf, Real* acc) {
  const int d = p.d;
  const Real* sq = p.sqrt_sx();
  const int R = design_chunk_rows(d);
  Real* sv = buf + std::size_t(R) * std::size_t(d);
  for (int j = 0; j < d; ++j) {
    acc[j] = 0;
    sv[j] = sq[j] * v[j];
  }
  const random::PolyNormalStream gen(p.seed, trial, stream);
  const random::PolyNormalStream noise(p.seed, trial, noise_stream);
  for (int i0 = 0; i0 < rows; i0 += R) {
    const int nr = rows - i0 < R ? rows - i0 : R;
    gen.fill_rows(static_cast<std::uint32_t>(i0), static_cast<std::uint32_t>(nr), static_cast<std::uint32_t>(d), buf);
    for (int i = 0; i < nr; ++i) {
      const Real* z = buf + std::size_t(i) * std::size_t(d);
      Real yi = dot8(z, sv, d);
      if (p.sigma > 0) yi += p.sigma * static_cast<Real>(noise.at(0, static_cast<std::uint32_t>(i0 + i)));
      for (int j = 0; j < d; ++j) acc[j] = static_cast<Real>(random::vm::fmadd(yi, z[j], acc[j]));
    }
  }
  for (int j = 0; j < d; ++j) acc[j] *= sq[j];
}

}  // namespace detail

/// brute and fresh estimators: components (c0, lin, quad, 0) (K = 4 like the other one-step trials).
template <class Real_>
struct BruteTrial {
  using Real = Real_;
  static constexpr int K = 4;
  TrialParams<Real> p;
  bool fresh = false;
  int eval_prompts = 1;

  std::size_t scratch_size() const { return 4 * std::size_t(p.d) + detail::design_scratch_size(p.d); }

  static std::array<std::array<double, K>, 3> coefficients(double) {
    return {{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}}};
  }

  TTT_HOST_DEVICE void operator()(std::uint64_t t, Real* s, double* out) const {
    const int d = p.d;
    Real *u = s, *v = s + d, *g = s + 2 * d, *u2 = s + 3 * d, *row = s + 4 * d;
    const Real *beta = p.beta(), *w = p.w0(), *mu = p.sx();
    // u = X^T y
    detail::accumulate_design(p, t, random::stream_context_x, random::stream_context_noise, p.n, beta, row, u);
    // g = X_tr^T (y_tr - X_tr W0 u) = sum_j (x_j'(beta - W0 u) + sigma eps_j) x_j
    for (int j = 0; j < d; ++j) v[j] = beta[j] - w[j] * u[j];
    detail::accumulate_design(p, t, random::stream_train_x, random::stream_train_noise, p.m, v, row, g);
    const Real m = static_cast<Real>(p.m);
    if (!fresh) {
      // W_TT = W0 + a g u^T with a = 2 eta / m: risk = c0 + a c1 + a^2 c2.
      const theory::Quadratic<Real> q =
          theory::rank_one_loss(p.parts, mu, w, beta, u, g, d, static_cast<Real>(p.n), p.sigma2);
      out[0] = static_cast<double>(q.c0);
      out[1] = static_cast<double>(q.c1 / m);
      out[2] = static_cast<double>(4 * q.c2 / (m * m));
      out[3] = 0;
      return;
    }
    // Fresh prompts: residual(a) = e0 - a e1 with e0 = y_q - x'W0 u', e1 = (x'g)(u'u').
    double s0 = 0, s1 = 0, s2 = 0;
    for (int k = 0; k < eval_prompts; ++k) {
      const std::uint32_t base = static_cast<std::uint32_t>(k) * static_cast<std::uint32_t>(p.n + 1);
      const random::PolyNormalStream noise(p.seed, t, random::stream_eval_noise);
      const random::PolyNormalStream xs(p.seed, t, random::stream_eval_x);
      for (int j = 0; j < d; ++j) u2[j] = 0;
      for (int i = 0; i < p.n; ++i) {
        xs.fill_rows(base + static_cast<std::uint32_t>(i), 1, static_cast<std::uint32_t>(d), row);
        Real yi = 0;
        for (int j = 0; j < d; ++j) {
          row[j] *= p.sqrt_sx()[j];
          yi += row[j] * beta[j];
        }
        if (p.sigma > 0) yi += p.sigma * static_cast<Real>(noise.at(0, base + static_cast<std::uint32_t>(i)));
        for (int j = 0; j < d; ++j) u2[j] += yi * row[j];
      }
      xs.fill_rows(base + static_cast<std::uint32_t>(p.n), 1, static_cast<std::uint32_t>(d), row);
      Real yq = 0, pred0 = 0, xg = 0, uu2 = 0;
      for (int j = 0; j < d; ++j) {
        row[j] *= p.sqrt_sx()[j];
        yq += row[j] * beta[j];
        pred0 += row[j] * w[j] * u2[j];
        xg += row[j] * g[j];
        uu2 += u[j] * u2[j];
      }
      if (p.sigma > 0) yq += p.sigma * static_cast<Real>(noise.at(0, base + static_cast<std::uint32_t>(p.n)));
      const double e0 = static_cast<double>(yq - pred0), e1 = static_cast<double>(xg * uu2);
      s0 += e0 * e0;
      s1 += e0 * e1;
      s2 += e1 * e1;
    }
    const double inv = 1.0 / eval_prompts, md = static_cast<double>(p.m);
    out[0] = s0 * inv;
    out[1] = -2.0 / md * s1 * inv;
    out[2] = 4.0 / (md * md) * s2 * inv;
    out[3] = 0;
  }
};

/// The conditional coefficients given u = X^T y (THEORY.md sec. 3 with noise), as K = 4 components
/// (c0, lin, qa, qb) with quad(m) = (4/m)((m+1) qa + qb).
template <class Real>
TTT_HOST_DEVICE void conditional_components(const TrialParams<Real>& p, const Real* u, double* out) {
  const Real *beta = p.beta(), *w = p.w0(), *mu = p.sx();
  const Real n = static_cast<Real>(p.n);
  Real t = 0, pSr = 0, SrSWp = 0, uSWSSr = 0, rS3r = 0, rSr = 0, uSu = 0, trS2 = 0;
  for (int i = 0; i < p.d; ++i) {
    const Real pi = mu[i] * beta[i], ri = beta[i] - w[i] * u[i], Sri = mu[i] * ri;
    t += u[i] * pi;
    pSr += pi * Sri;
    SrSWp += Sri * mu[i] * w[i] * pi;
    uSWSSr += mu[i] * u[i] * w[i] * mu[i] * Sri;
    rS3r += mu[i] * mu[i] * mu[i] * ri * ri;
    rSr += mu[i] * ri * ri;
    uSu += mu[i] * u[i] * u[i];
    trS2 += mu[i] * mu[i];
  }
  const Real k = n * (p.parts.bS + p.sigma2);
  const Real cu = n * (n + 1) * t * t + k * uSu;
  out[0] = static_cast<double>(theory::diagonal_loss(p.parts, n, p.sigma2));
  out[1] = static_cast<double>(-2 * n * t * pSr + 2 * n * (n + 1) * t * SrSWp + 2 * k * uSWSSr);
  out[2] = static_cast<double>(rS3r * cu);
  out[3] = static_cast<double>(trS2 * (rSr + p.sigma2) * cu);
}

inline std::array<std::array<double, 4>, 3> conditional_coefficients(double m) {
  return {{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 4 * (m + 1) / m, 4 / m}}};
}

/// conditional estimator: samples the context only.
template <class Real_>
struct ConditionalTrial {
  using Real = Real_;
  static constexpr int K = 4;
  TrialParams<Real> p;

  std::size_t scratch_size() const { return std::size_t(p.d) + detail::design_scratch_size(p.d); }
  static std::array<std::array<double, K>, 3> coefficients(double m) { return conditional_coefficients(m); }

  TTT_HOST_DEVICE void operator()(std::uint64_t t, Real* s, double* out) const {
    Real *u = s, *row = s + p.d;
    detail::accumulate_design(p, t, random::stream_context_x, random::stream_context_noise, p.n, p.beta(), row, u);
    conditional_components(p, u, out);
  }
};

/// reduced estimator (Sx = I, W0 = c I): with v = beta/|beta|, a = X v ~ N(0, I_n), A = |a|^2 ~ chi^2_n,
/// a'eps = sigma sqrt(A) z, |eps|^2 = sigma^2 (z^2 + E), E ~ chi^2_{n-1}, and the part of X^T y orthogonal
/// to v distributed as |y| N(0, I_{d-1}) so that its squared norm is |y|^2 C, C ~ chi^2_{d-1}:
///   t = u'beta = sqrt(B) a'y,  |u|^2 = (a'y)^2 + |y|^2 C,  a'y = sqrt(B) A + a'eps,
///   |y|^2 = B A + 2 sqrt(B) a'eps + |eps|^2.
/// The conditional coefficients depend on u only through (t, |u|^2).
template <class Real_>
struct ReducedTrial {
  using Real = Real_;
  static constexpr int K = 4;
  TrialParams<Real> p;
  double B = 1;  // |beta|^2
  double c = 0;  // W0 = c I

  std::size_t scratch_size() const { return 0; }
  static std::array<std::array<double, K>, 3> coefficients(double m) { return conditional_coefficients(m); }

  TTT_HOST_DEVICE void operator()(std::uint64_t trial, Real*, double* out) const {
    const double n = p.n, d = p.d, s2 = static_cast<double>(p.sigma2), sig = static_cast<double>(p.sigma);
    const std::uint32_t st = random::stream_reduced;
    const double A = random::chi_square_variate(n, p.seed, trial, st, 0);
    const double C = p.d > 1 ? random::chi_square_variate(d - 1, p.seed, trial, st, 1) : 0.0;
    double aeps = 0, eps2 = 0;
    if (sig > 0) {
      const double z = random::NormalRow(p.seed, trial, st, 2).at(0);
      const double E = p.n > 1 ? random::chi_square_variate(n - 1, p.seed, trial, st, 3) : 0.0;
      aeps = sig * std::sqrt(A) * z;
      eps2 = s2 * (z * z + E);
    }
    const double sB = std::sqrt(B);
    const double ay = sB * A + aeps;
    const double y2 = B * A + 2 * sB * aeps + eps2;
    const double t = sB * ay, u2 = ay * ay + y2 * C;
    const double br = B - c * t, ur = t - c * u2, rr = B - 2 * c * t + c * c * u2;
    const double k = n * (B + s2);
    const double cu = n * (n + 1) * t * t + k * u2;
    out[0] = static_cast<double>(theory::diagonal_loss(p.parts, static_cast<Real>(p.n), p.sigma2));
    out[1] = -2 * n * t * br + 2 * n * (n + 1) * c * t * br + 2 * k * c * ur;
    out[2] = rr * cu;
    out[3] = d * (rr + s2) * cu;
  }
};

/// Multi-step TTT (brute force): steps t = 1..T with step sizes eta_t, W_t = W0 + h_t u^T,
///   h_{t+1} = h_t + (2 eta_t / m) X_tr^T (y_tr - X_tr (W0 u + h_t |u|^2)),
/// X_tr regenerated from its counters at each step; outputs L(W_t) for t = 1..T (Lemma B.2, exact).
template <class Real_, int T>
struct MultiStepTrial {
  using Real = Real_;
  static constexpr int K = T;
  TrialParams<Real> p;
  double etas[T];
  int steps = T;

  std::size_t scratch_size() const { return 4 * std::size_t(p.d) + detail::design_scratch_size(p.d); }

  TTT_HOST_DEVICE void operator()(std::uint64_t trial, Real* s, double* out) const {
    const int d = p.d;
    Real *u = s, *v = s + d, *h = s + 2 * d, *g = s + 3 * d, *row = s + 4 * d;
    const Real *beta = p.beta(), *w = p.w0(), *mu = p.sx();
    detail::accumulate_design(p, trial, random::stream_context_x, random::stream_context_noise, p.n, beta, row, u);
    Real uu = 0;
    for (int j = 0; j < d; ++j) {
      h[j] = 0;
      uu += u[j] * u[j];
    }
    const Real n = static_cast<Real>(p.n), m = static_cast<Real>(p.m);
    for (int k = 0; k < T; ++k) {
      if (k >= steps) {
        out[k] = 0;
        continue;
      }
      for (int j = 0; j < d; ++j) v[j] = beta[j] - w[j] * u[j] - h[j] * uu;
      detail::accumulate_design(p, trial, random::stream_train_x, random::stream_train_noise, p.m, v, row, g);
      const Real a = 2 * static_cast<Real>(etas[k]) / m;
      for (int j = 0; j < d; ++j) h[j] += a * g[j];
      const theory::Quadratic<Real> q = theory::rank_one_loss(p.parts, mu, w, beta, u, h, d, n, p.sigma2);
      out[k] = static_cast<double>(q.c0 + q.c1 + q.c2);
    }
  }
};

}  // namespace ttt::sim
