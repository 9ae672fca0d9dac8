// proofs-check/common.hpp: what every proofs-check program shares: a residual table that decides
// PASS/FAIL and sets the exit status, a running mean/variance accumulator for Monte Carlo checks, the
// named tolerances (Monte Carlo sigmas, rounding bounds) and counter-based Gaussian draws for
// non-diagonal covariances.
//
// Tolerance rules (proofs-check/README.md):
//  - Monte Carlo rows: z = (mean - theory) / se with se = sample standard deviation / sqrt(N), computed
//    from the same samples; PASS iff |z| <= 5. A single row fails by chance with probability 5.7e-7.
//  - Deterministic rows: |check - theory| / scale <= a rounding bound c * k * eps, where k counts the
//    floating-point operations in the longest accumulation chain and c is a stated safety factor (or a
//    condition-number factor where a linear solve is involved).
//  - Bound rows: PASS iff value <= bound (the residual column shows the slack bound - value).
#pragma once

#include <ttt/random/normal.hpp>

#include <Eigen/Dense>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace proofs {

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;

constexpr double eps = std::numeric_limits<double>::epsilon();

/// Number of standard errors allowed for a Monte Carlo row.
constexpr double mc_sigmas = 5.0;

/// Rounding bound for a computation whose longest accumulation chain has `ops` steps, each with relative
/// error <= eps/2; the factor 4 covers cancellations not bounded term by term.
inline double roundoff(double ops) { return 4.0 * ops * eps; }

/// Welford's running mean and variance (numerically stable single pass).
class RunningStats {
 public:
  void add(double x) {
    ++m_count;
    const double delta = x - m_mean;
    m_mean += delta / static_cast<double>(m_count);
    m_m2 += delta * (x - m_mean);
  }
  std::uint64_t count() const { return m_count; }
  double mean() const { return m_mean; }
  /// Unbiased sample variance.
  double variance() const { return m_count > 1 ? m_m2 / static_cast<double>(m_count - 1) : 0.0; }
  /// Standard error of the mean.
  double se() const { return std::sqrt(variance() / static_cast<double>(m_count)); }

 private:
  std::uint64_t m_count = 0;
  double m_mean = 0;
  double m_m2 = 0;
};

/// Entrywise running statistics of a matrix-valued sample.
class MatrixStats {
 public:
  MatrixStats(Eigen::Index rows, Eigen::Index cols)
      : m_mean(Mat::Zero(rows, cols)), m_m2(Mat::Zero(rows, cols)) {}
  void add(const Mat& x) {
    ++m_count;
    const Mat delta = x - m_mean;
    m_mean += delta / static_cast<double>(m_count);
    m_m2.array() += delta.array() * (x - m_mean).array();
  }
  std::uint64_t count() const { return m_count; }
  const Mat& mean() const { return m_mean; }
  Mat se() const {
    const double c = static_cast<double>(m_count);
    return (m_m2.array() / ((c - 1) * c)).sqrt().matrix();
  }

 private:
  std::uint64_t m_count = 0;
  Mat m_mean;
  Mat m_m2;
};

/// The residual table of one program. Every row has a quantity, the theory value, the check value, a
/// residual (z-score, scaled error or slack), its tolerance and PASS/FAIL.
class Table {
 public:
  explicit Table(std::string title) : m_title(std::move(title)), m_start(std::chrono::steady_clock::now()) {}

  /// Monte Carlo row: the sample mean `mean` with standard error `se` against `theory`; |z| <= 5.
  bool mc(const std::string& what, double theory, double mean, double se) {
    const double z = se > 0 ? (mean - theory) / se : (mean == theory ? 0.0 : INFINITY);
    return add(what, theory, mean, "z", z, mc_sigmas, std::fabs(z) <= mc_sigmas);
  }

  /// Deterministic row: |value - theory| / scale <= tol. With scale <= 0 the scale is max(|theory|, |value|)
  /// (a relative error); pass an explicit scale when the theory value may be 0.
  bool close(const std::string& what, double theory, double value, double tol, double scale = 0) {
    double s = scale > 0 ? scale : std::fmax(std::fabs(theory), std::fabs(value));
    if (s == 0) s = 1;
    const double r = std::fabs(value - theory) / s;
    return add(what, theory, value, "err", r, tol, r <= tol);
  }

  /// Deterministic row for a quantity that must be small: |value| <= tol (theory column 0).
  bool small(const std::string& what, double value, double tol) {
    return add(what, 0.0, value, "abs", std::fabs(value), tol, std::fabs(value) <= tol);
  }

  /// Inequality row: value <= bound. Residual column: the slack bound - value (tolerance 0).
  bool at_most(const std::string& what, double value, double bound) {
    return add(what, bound, value, "slack", bound - value, 0.0, value <= bound);
  }

  /// Inequality row: value >= bound (slack value - bound).
  bool at_least(const std::string& what, double value, double bound) {
    return add(what, bound, value, "slack", value - bound, 0.0, value >= bound);
  }

  /// A free-text note printed under the table.
  void note(const std::string& text) { m_notes.push_back(text); }

  int failures() const { return m_failures; }

  /// Prints the table and returns the exit status (0 iff every row passed).
  int finish() const {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    std::printf("== %s ==\n", m_title.c_str());
    std::printf("%-54s %15s %15s %5s %11s %10s  %s\n", "quantity", "theory", "check", "kind", "residual",
                "tolerance", "result");
    for (const Row& r : m_rows)
      std::printf("%-54s %15.8g %15.8g %5s %11.3e %10.3e  %s\n", r.what.c_str(), r.theory, r.value,
                  r.kind.c_str(), r.residual, r.tol, r.pass ? "PASS" : "FAIL");
    for (const std::string& n : m_notes) std::printf("note: %s\n", n.c_str());
    std::printf("%zu rows, %d failed, %.2f s\n", m_rows.size(), m_failures, secs);
    return m_failures == 0 ? 0 : 1;
  }

 private:
  struct Row {
    std::string what;
    double theory;
    double value;
    std::string kind;
    double residual;
    double tol;
    bool pass;
  };

  bool add(const std::string& what, double theory, double value, const char* kind, double residual, double tol,
           bool pass) {
    // NaN never passes: every comparison above is false for NaN except through `pass` itself.
    if (std::isnan(value) || std::isnan(theory) || std::isnan(residual)) pass = false;
    m_rows.push_back({what, theory, value, kind, residual, tol, pass});
    if (!pass) ++m_failures;
    return pass;
  }

  std::string m_title;
  std::chrono::steady_clock::time_point m_start;
  std::vector<Row> m_rows;
  std::vector<std::string> m_notes;
  int m_failures = 0;
};

// ------------------------------------------------------------------------------------------------
// Counter-based Gaussian draws (Philox streams of <ttt/random/normal.hpp>): every number is a pure
// function of (seed, trial, stream, row), so each program is reproducible bit for bit.
// ------------------------------------------------------------------------------------------------

/// Stream ids used by the proofs-check programs (the library reserves ids below stream_user).
enum ProofStream : std::uint32_t {
  stream_setup = ttt::random::stream_user,  // fixed problem data: W, beta, covariances
  stream_rows = ttt::random::stream_user + 1,
  stream_query = ttt::random::stream_user + 2,
  stream_noise = ttt::random::stream_user + 3,
  stream_query_noise = ttt::random::stream_user + 4,
  stream_task = ttt::random::stream_user + 5,
  stream_extra = ttt::random::stream_user + 6
};

/// A rows x cols matrix of independent N(0, 1) entries; row i is NormalRow(seed, trial, stream, i).
inline Mat standard_normal(std::uint64_t seed, std::uint64_t trial, std::uint32_t stream, Eigen::Index rows,
                           Eigen::Index cols) {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Z(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    ttt::random::NormalRow(seed, trial, stream, static_cast<std::uint32_t>(i))
        .fill(Z.row(i).data(), static_cast<std::uint32_t>(cols));
  return Z;
}

/// A vector of `size` independent N(0, 1) entries (row 0 of the stream).
inline Vec standard_normal_vector(std::uint64_t seed, std::uint64_t trial, std::uint32_t stream,
                                  Eigen::Index size) {
  Vec z(size);
  ttt::random::NormalRow(seed, trial, stream, 0).fill(z.data(), static_cast<std::uint32_t>(size));
  return z;
}

/// rows i.i.d. N(0, S) rows, given the lower Cholesky factor L of S (S = L L^T): X = Z L^T.
inline Mat gaussian_rows(std::uint64_t seed, std::uint64_t trial, std::uint32_t stream, Eigen::Index rows,
                         const Mat& L) {
  return standard_normal(seed, trial, stream, rows, L.rows()) * L.transpose();
}

/// A well-conditioned, non-diagonal SPD matrix: S = Q diag(spectrum) Q^T with Q orthogonal, drawn from
/// the setup stream (row `tag` selects an independent draw).
inline Mat random_spd(std::uint64_t seed, std::uint64_t tag, const Vec& spectrum) {
  const Eigen::Index d = spectrum.size();
  const Mat G = standard_normal(seed, tag, stream_setup, d, d);
  const Eigen::HouseholderQR<Mat> qr(G);
  const Mat Q = qr.householderQ() * Mat::Identity(d, d);
  Mat S = Q * spectrum.asDiagonal() * Q.transpose();
  return (S + S.transpose()) / 2;  // exactly symmetric
}

/// The symmetric square root of an SPD matrix.
inline Mat spd_sqrt(const Mat& S) {
  const Eigen::SelfAdjointEigenSolver<Mat> es(S);
  return es.eigenvectors() * es.eigenvalues().cwiseSqrt().asDiagonal() * es.eigenvectors().transpose();
}

/// A quadratic function of a d x d matrix written in w = vec(W) (column-major, index i + d j):
///   f(W) = c0 - 2 b'w + w'H w.
struct Quadratic {
  Mat H;
  Vec b;
  double c0 = 0;
  double magnitude = 0;  // largest |.|-magnitude among the evaluations (for rounding bounds)
};

/// The unit matrix E_k with a 1 at vec-index k.
inline Mat vec_unit(Eigen::Index d, Eigen::Index k) {
  Mat E = Mat::Zero(d, d);
  E(k % d, k / d) = 1;
  return E;
}

/// Recovers H, b, c0 of a quadratic f by polarisation from f(0), f(+-E_k) and f(E_k + E_l):
///   b_k = (f(-E_k) - f(E_k)) / 4,  H_kk = (f(E_k) + f(-E_k)) / 2 - c0,
///   H_kl = (f(E_k + E_l) - c0 + 2 b_k + 2 b_l - H_kk - H_ll) / 2.
/// `magnitude(W)` bounds the sum of |terms| of f(W), so that each evaluation errs by <= chain * magnitude.
template <class F, class M>
Quadratic polarise(const F& f, const M& magnitude, Eigen::Index d) {
  const Eigen::Index p = d * d;
  Quadratic q;
  q.H.resize(p, p);
  q.b.resize(p);
  q.c0 = f(Mat::Zero(d, d));
  q.magnitude = magnitude(Mat::Zero(d, d));
  for (Eigen::Index k = 0; k < p; ++k) {
    const Mat E = vec_unit(d, k);
    const double fp = f(E), fm = f(Mat(-E));
    q.b[k] = (fm - fp) / 4;
    q.H(k, k) = (fp + fm) / 2 - q.c0;
    q.magnitude = std::fmax(q.magnitude, magnitude(E));
  }
  for (Eigen::Index k = 0; k < p; ++k)
    for (Eigen::Index l = k + 1; l < p; ++l) {
      const Mat E = vec_unit(d, k) + vec_unit(d, l);
      q.H(k, l) = q.H(l, k) = (f(E) - q.c0 + 2 * q.b[k] + 2 * q.b[l] - q.H(k, k) - q.H(l, l)) / 2;
      q.magnitude = std::fmax(q.magnitude, magnitude(E));
    }
  return q;
}

/// Minimiser of a polarised quadratic and a bound on its relative error: each evaluation errs by
/// delta = chain * magnitude, so |dH|_F <= 3 p delta and |db| <= sqrt(p) delta / 2, and the solution of
/// H w = b moves by <= cond(H) (|dH| / |H| + |db| / |b|), plus the solve's own rounding cond(H) roundoff(p).
struct QuadraticMinimum {
  Mat W;
  double rel_error_bound = 0;
  double condition = 0;
  double min_eigenvalue = 0;
};

inline QuadraticMinimum minimise(const Quadratic& q, double chain) {
  const Eigen::Index p = q.b.size();
  const auto d = static_cast<Eigen::Index>(std::lround(std::sqrt(static_cast<double>(p))));
  const Eigen::SelfAdjointEigenSolver<Mat> es(q.H);
  QuadraticMinimum r;
  r.min_eigenvalue = es.eigenvalues().minCoeff();
  r.condition = es.eigenvalues().maxCoeff() / r.min_eigenvalue;
  const Vec w = q.H.ldlt().solve(q.b);
  r.W = Eigen::Map<const Mat>(w.data(), d, d);
  const double delta = chain * q.magnitude, pd = static_cast<double>(p);
  r.rel_error_bound = r.condition * (3 * pd * delta / es.eigenvalues().maxCoeff() + std::sqrt(pd) * delta / 2 / q.b.norm() +
                                     roundoff(pd));
  return r;
}

/// Formats a label with an index, e.g. label("E[Q]", 2, 3) -> "E[Q](2,3)".
inline std::string label(const std::string& base, Eigen::Index i, Eigen::Index j) {
  return base + "(" + std::to_string(i) + "," + std::to_string(j) + ")";
}

/// label("eig", 2) -> "eig[2]".
inline std::string label(const std::string& base, Eigen::Index i) { return base + "[" + std::to_string(i) + "]"; }

}  // namespace proofs
