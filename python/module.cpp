// python/module.cpp: the extension ttt._core of the Python package `ttt`: the closed forms of `ttt theory` and
// `ttt crossing`, the Monte Carlo engine of `ttt mc`, and the Gaussian task sampler, for notebooks. Same
// functions, same numbers as the command line (the same headers); bad input raises ValueError. Arrays are
// returned as NumPy arrays that own the C++ buffer through a capsule (no copy).
#include <ttt/sim/one_step.hpp>
#include <ttt/tasks/gaussian_task.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/pretrained.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#if TTT_HAVE_OPENMP
#include <omp.h>
#endif

namespace py = pybind11;

namespace {

using Vec = ttt::tasks::Vec<double>;
using Mat = ttt::tasks::Mat<double>;

void require(bool ok, const std::string& message) {
  if (!ok) throw py::value_error(message);
}

std::string str(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

void require_size(long long v, const char* name) {
  require(v >= 1, std::string(name) + " must be >= 1 (got " + std::to_string(v) + ")");
  require(v <= 2147483647LL, std::string(name) + " must be <= 2147483647 (got " + std::to_string(v) + ")");
}

void require_finite(double v, const char* name) {
  require(std::isfinite(v), std::string(name) + " must be a finite number (got " + str(v) + ")");
}

void require_nonnegative(double v, const char* name) {
  require_finite(v, name);
  require(v >= 0, std::string(name) + " must be >= 0 (got " + str(v) + ")");
}

void require_positive(double v, const char* name) {
  require_finite(v, name);
  require(v > 0, std::string(name) + " must be > 0 (got " + str(v) + ")");
}

void require_member(const std::string& v, std::initializer_list<const char*> allowed, const char* name) {
  std::string list;
  for (const char* a : allowed) {
    if (v == a) return;
    list += std::string(list.empty() ? "" : ", ") + "'" + a + "'";
  }
  throw py::value_error(std::string(name) + " must be one of " + list + " (got '" + v + "')");
}

/// A non-negative Python int below 2^64.
std::uint64_t to_u64(const py::int_& v, const char* name) {
  require(PyObject_RichCompareBool(v.ptr(), py::int_(0).ptr(), Py_GE) == 1,
          std::string(name) + " must be >= 0 (got " + std::string(py::repr(v)) + ")");
  const unsigned long long u = PyLong_AsUnsignedLongLong(v.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    throw py::value_error(std::string(name) + " must be < 2^64 (got " + std::string(py::repr(v)) + ")");
  }
  return static_cast<std::uint64_t>(u);
}

/// NaN/inf as None, like the command line's JSON.
py::object number(double v) { return std::isfinite(v) ? py::object(py::float_(v)) : py::object(py::none()); }

/// A 1-D NumPy array over a moved-in vector, owned by a capsule.
py::array_t<double> to_numpy(std::vector<double>&& v) {
  auto* owner = new std::vector<double>(std::move(v));
  py::capsule free_when_done(owner, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  return py::array_t<double>({static_cast<py::ssize_t>(owner->size())}, {static_cast<py::ssize_t>(sizeof(double))},
                             owner->data(), free_when_done);
}

/// A NumPy array over a moved-in Eigen vector or (column-major) matrix, owned by a capsule.
py::array_t<double> to_numpy(Vec&& v) {
  auto* owner = new Vec(std::move(v));
  py::capsule free_when_done(owner, [](void* p) { delete static_cast<Vec*>(p); });
  return py::array_t<double>({static_cast<py::ssize_t>(owner->size())}, {static_cast<py::ssize_t>(sizeof(double))},
                             owner->data(), free_when_done);
}

py::array_t<double> to_numpy(Mat&& m) {
  auto* owner = new Mat(std::move(m));
  py::capsule free_when_done(owner, [](void* p) { delete static_cast<Mat*>(p); });
  const auto rows = static_cast<py::ssize_t>(owner->rows()), cols = static_cast<py::ssize_t>(owner->cols());
  const auto s = static_cast<py::ssize_t>(sizeof(double));
  return py::array_t<double>({rows, cols}, {s, s * rows}, owner->data(), free_when_done);
}

/// A 1-D float array argument as an Eigen vector (any float-convertible sequence; copied once).
Vec to_vec(const py::array_t<double, py::array::c_style | py::array::forcecast>& a, const char* name) {
  require(a.ndim() == 1, std::string(name) + " must be one-dimensional (got " + std::to_string(a.ndim()) + " dimensions)");
  Vec v(a.shape(0));
  for (py::ssize_t i = 0; i < a.shape(0); ++i) {
    v[i] = a.at(i);
    require_finite(v[i], name);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------------
// Closed forms (`ttt theory`, `ttt crossing`)
// ---------------------------------------------------------------------------------------------------------

py::dict theory(long long d_, long long n_, long long m_, const std::string& init, double sigma2, double beta_norm2,
                const std::string& form) {
  require_size(d_, "d");
  require_size(n_, "n");
  require_size(m_, "m");
  require_nonnegative(sigma2, "sigma2");
  require_positive(beta_norm2, "beta_norm2");
  require_member(init, {"pretrained", "zero"}, "init");
  require_member(form, {"exact", "leading"}, "form");
  const double d = double(d_), n = double(n_), m = double(m_), s2 = sigma2, B = beta_norm2;
  ttt::theory::OneStepPrediction<double> p;
  if (form == "exact") {
    if (init == "pretrained") {
      require(s2 == 0, "no exact one-step form for pretrained init with label noise (sigma2 > 0); use "
                       "init='zero', or ttt.mc to simulate it");
      p = ttt::theory::prediction(ttt::theory::one_step_risk_pretrained_exact(d, n, m, B));
    } else {
      p = ttt::theory::prediction(ttt::theory::one_step_risk_zero_exact(d, n, m, B, s2));
    }
  } else {
    require(s2 == 0, "no leading-order form exists with label noise (Thm 4.2 and 4.5 are noiseless): sigma2 must "
                     "be 0 with form='leading'");
    p = init == "pretrained" ? ttt::theory::one_step_pretrained_leading(d, n, m, B)
                             : ttt::theory::one_step_zero_leading(d, n, m, B);
  }
  py::dict r;
  r["eta_star"] = number(p.eta_star);
  r["loss_before"] = number(p.loss_before);
  r["loss_after"] = number(p.loss_after());
  r["gain"] = number(p.gain);
  return r;
}

py::dict crossing(long long d_, long long n_, const std::string& form) {
  require_size(d_, "d");
  require_size(n_, "n");
  require_member(form, {"exact", "leading"}, "form");
  const double d = double(d_), n = double(n_);
  std::optional<double> m_star;
  if (form == "exact")
    m_star = ttt::theory::crossing_m_exact(d, n);
  else
    m_star = ttt::theory::crossing_m_leading(d, n);
  py::dict r;
  r["m_star"] = m_star ? number(*m_star) : py::object(py::none());
  r["crossing"] = m_star.has_value();
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Monte Carlo (`ttt mc`)
// ---------------------------------------------------------------------------------------------------------

/// OpenMP's default thread count when the module was loaded: threads=None means all of them, whatever an
/// earlier call with threads=k left set.
int g_default_threads = 0;

/// Per-trial risk at eta, a' x with a = M0 + 2 eta M1 + eta^2 M2, evaluating the trial functor directly
/// (each trial is a pure function of (seed, trial), so this is the same trial the engine evaluates).
template <class Functor>
std::vector<double> trial_values(const Functor& f, std::uint64_t trials, const std::array<double, 4>& a, int threads) {
  std::vector<double> v(static_cast<std::size_t>(trials));
  const std::size_t stride = std::max<std::size_t>(1, f.scratch_size());
  const auto n = static_cast<long long>(trials);
#pragma omp parallel num_threads(threads)
  {
    std::vector<typename Functor::Real> scratch(stride);
    double x[Functor::K];
#pragma omp for schedule(static)
    for (long long t = 0; t < n; ++t) {
      f(static_cast<std::uint64_t>(t), scratch.data(), x);
      double s = 0;
      for (int i = 0; i < Functor::K; ++i) s += a[std::size_t(i)] * x[i];
      v[std::size_t(t)] = s;
    }
  }
  return v;
}

py::dict mc(long long d_, long long n_, long long m_, const std::string& init, std::optional<double> eta_opt,
            bool eta_star, long long trials, const py::int_& seed_obj, const std::string& estimator,
            std::optional<int> threads, double sigma2, double beta_norm2, long long block_size, int eval_prompts,
            std::optional<std::string> values) {
  require_size(d_, "d");
  require_size(n_, "n");
  require_size(m_, "m");
  require_member(init, {"pretrained", "zero"}, "init");
  require_nonnegative(sigma2, "sigma2");
  require_positive(beta_norm2, "beta_norm2");
  require(trials >= 1, "trials must be >= 1 (got " + std::to_string(trials) + ")");
  require(block_size >= 1 && block_size <= 0xffffffffLL, "block_size must be between 1 and 2^32-1 (got " +
                                                              std::to_string(block_size) + ")");
  require(eval_prompts >= 1, "eval_prompts must be >= 1 (got " + std::to_string(eval_prompts) + ")");
  if (threads) require(*threads >= 1, "threads must be >= 1 or None (got " + std::to_string(*threads) + ")");
  require_member(estimator, {"auto", "brute", "fresh", "conditional", "reduced"}, "estimator");
  if (values) require_member(*values, {"blocks", "trials"}, "values");
  require(eta_opt.has_value() != eta_star, "give exactly one of eta=E and eta_star=True");
  if (eta_opt) require_finite(*eta_opt, "eta");
  require(d_ * (n_ + m_ + 8) < 4'000'000'000LL, "problem too large for 32-bit row counters");
  require(!(values && *values == "trials") || trials <= (1LL << 28),
          "values='trials' keeps one double per trial: at most 2^28 trials");

  const std::uint64_t seed = to_u64(seed_obj, "seed");
  const double d = double(d_), n = double(n_), m = double(m_), s2 = sigma2, B = beta_norm2;
  double eta = eta_opt.value_or(0.0);
  if (eta_star) {
    if (init == "pretrained") {
      require(s2 == 0, "eta_star: no exact optimal step for pretrained init with label noise; give eta");
      eta = ttt::theory::one_step_risk_pretrained_exact(d, n, m, B).eta_star();
    } else {
      eta = ttt::theory::one_step_risk_zero_exact(d, n, m, B, s2).eta_star();
    }
  }
  const double c = init == "pretrained" ? ttt::theory::pretrained_scale_isotropic(d, n, s2) : 0.0;
  ttt::sim::TttSetting s = ttt::sim::isotropic_setting(int(d_), int(n_), int(m_), s2, B, c, seed);
  s.eval_prompts = eval_prompts;
  const ttt::sim::Estimator est = estimator == "auto" ? ttt::sim::best_estimator(s) : ttt::sim::parse_estimator(estimator);
  require(ttt::sim::estimator_applies(est, s), "estimator='reduced' needs Sx = I and W0 = c I");

  ttt::sim::RunConfig cfg;
  cfg.trials = static_cast<std::uint64_t>(trials);
  cfg.block_size = static_cast<std::uint32_t>(block_size);
  cfg.threads = threads ? *threads : g_default_threads;
  cfg.backend = ttt::Backend::omp;

  ttt::sim::OneStepRun run;
  std::vector<double> per_trial;
  {
    py::gil_scoped_release unlocked;
    run = ttt::sim::run_one_step(s, est, cfg);
    if (values && *values == "trials") {
      std::array<double, 4> a{};
      for (std::size_t i = 0; i < 4; ++i) a[i] = run.M[0][i] + 2 * eta * run.M[1][i] + eta * eta * run.M[2][i];
      const std::vector<double> arrays = s.packed<double>();
      const auto p = ttt::sim::host_params(s, arrays);
      const int nt = cfg.threads > 0 ? cfg.threads : 1;
      switch (est) {
        case ttt::sim::Estimator::brute:
        case ttt::sim::Estimator::fresh:
          per_trial = trial_values(ttt::sim::BruteTrial<double>{p, est == ttt::sim::Estimator::fresh, s.eval_prompts},
                                   cfg.trials, a, nt);
          break;
        case ttt::sim::Estimator::conditional:
          per_trial = trial_values(ttt::sim::ConditionalTrial<double>{p}, cfg.trials, a, nt);
          break;
        case ttt::sim::Estimator::reduced:
          per_trial = trial_values(ttt::sim::ReducedTrial<double>{p, s.beta_norm2(), s.w0[0]}, cfg.trials, a, nt);
          break;
      }
    }
  }
  const ttt::sim::Estimate e = run.curve().risk(eta);
  py::dict r;
  r["mean"] = number(e.value);
  r["stderr"] = number(e.se);
  r["ci_low"] = number(e.ci_low);
  r["ci_high"] = number(e.ci_high);
  r["trials"] = e.trials;
  r["estimator"] = ttt::sim::estimator_name(est);
  r["eta"] = number(eta);
  if (values && *values == "blocks") {
    // Mean risk at eta of each block of block_size trials (the last block may be shorter).
    std::vector<double> bm(run.result.blocks.size());
    for (std::size_t b = 0; b < bm.size(); ++b) {
      const ttt::sim::RiskCurve<4> cb = ttt::sim::risk_curve(run.result.blocks[b], run.M);
      bm[b] = cb.c0() + 2 * eta * cb.lin() + eta * eta * cb.quad();
    }
    r["values"] = to_numpy(std::move(bm));
  } else if (values) {
    r["values"] = to_numpy(std::move(per_trial));
  }
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Samplers
// ---------------------------------------------------------------------------------------------------------

class PySampler {
 public:
  PySampler(const py::array_t<double, py::array::c_style | py::array::forcecast>& sx, double sigma2, long long n,
            long long m)
      : m_sampler(make(sx, sigma2, n, m)) {}

  int d() const { return m_sampler.d(); }
  int n() const { return m_sampler.n(); }
  int m() const { return m_sampler.m(); }

  py::dict sample(const py::array_t<double, py::array::c_style | py::array::forcecast>& beta_a,
                  const py::int_& seed, const py::int_& index) const {
    Vec beta = to_vec(beta_a, "beta");
    require(beta.size() == d(), "beta must have d = " + std::to_string(d()) + " entries (got " +
                                    std::to_string(beta.size()) + ")");
    const std::uint64_t u_seed = to_u64(seed, "seed"), u_index = to_u64(index, "index");
    ttt::tasks::RegressionSample<double> s;
    {
      py::gil_scoped_release unlocked;
      s = m_sampler.sample(beta, u_seed, u_index);
    }
    py::dict r;
    r["X"] = to_numpy(std::move(s.X));
    r["y"] = to_numpy(std::move(s.y));
    r["X_tr"] = to_numpy(std::move(s.X_tr));
    r["y_tr"] = to_numpy(std::move(s.y_tr));
    r["beta"] = to_numpy(std::move(s.beta));
    return r;
  }

  py::array_t<double> design(const py::int_& seed, const py::int_& index, long long stream, long long rows) const {
    require(rows >= 0 && rows <= 2147483647LL, "rows must be between 0 and 2^31-1 (got " + std::to_string(rows) + ")");
    require(stream >= 0 && stream <= 0xffffffffLL, "stream must be between 0 and 2^32-1 (got " + std::to_string(stream) + ")");
    return to_numpy(m_sampler.design(to_u64(seed, "seed"), to_u64(index, "index"), static_cast<std::uint32_t>(stream), int(rows)));
  }

  static py::array_t<double> sample_task(const py::array_t<double, py::array::c_style | py::array::forcecast>& sb,
                                         const py::int_& seed, const py::int_& index) {
    const Vec v = to_vec(sb, "sb");
    require(v.size() >= 1, "sb must have at least one entry");
    require((v.array() >= 0).all(), "sb must be >= 0");
    return to_numpy(ttt::tasks::GaussianTaskSampler<double>::sample_task(v, to_u64(seed, "seed"), to_u64(index, "index")));
  }

 private:
  static ttt::tasks::GaussianTaskSampler<double> make(
      const py::array_t<double, py::array::c_style | py::array::forcecast>& sx_a, double sigma2, long long n,
      long long m) {
    const Vec sx = to_vec(sx_a, "sx");
    require(sx.size() >= 1, "sx must have d >= 1 entries");
    require((sx.array() >= 0).all(), "sx must be >= 0");
    require_nonnegative(sigma2, "sigma2");
    require_size(n, "n");
    require(m >= 0 && m <= 2147483647LL, "m must be between 0 and 2^31-1 (got " + std::to_string(m) + ")");
    return ttt::tasks::GaussianTaskSampler<double>(sx, sigma2, int(n), int(m));
  }

  ttt::tasks::GaussianTaskSampler<double> m_sampler;
};

}  // namespace

PYBIND11_MODULE(_core, mod) {
  mod.doc() = "ttt: one-step test-time training for linear attention: closed forms, Monte Carlo, samplers";
  mod.attr("__version__") = TTT_VERSION_STRING;
#if TTT_HAVE_OPENMP
  g_default_threads = omp_get_max_threads();
#endif
  using namespace py::literals;

  mod.def("theory", &theory, "d"_a, "n"_a, "m"_a, py::kw_only(), "init"_a = "pretrained", "sigma2"_a = 0.0,
          "beta_norm2"_a = 1.0, "form"_a = "exact",
          "Optimal step, loss before/after and gain of one TTT step (Sx = Sb = I), as `ttt theory --json`.\n"
          "init: 'pretrained' | 'zero'; form: 'exact' (finite size) | 'leading' (Thm 4.2 / 4.5).\n"
          "Returns dict(eta_star, loss_before, loss_after, gain).");
  mod.def("crossing", &crossing, "d"_a, "n"_a, py::kw_only(), "form"_a = "exact",
          "Test-time set size m* where pretrained and zero init tie after one optimal step, as `ttt crossing "
          "--json`. Returns dict(m_star (None without a crossing), crossing).");
  mod.def("mc", &mc, "d"_a, "n"_a, "m"_a, "init"_a, py::kw_only(), "eta"_a = py::none(),
          "eta_star"_a = false, "trials"_a, "seed"_a = py::int_(0), "estimator"_a = "auto",
          "threads"_a = py::none(), "sigma2"_a = 0.0, "beta_norm2"_a = 1.0, "block_size"_a = 256,
          "eval_prompts"_a = 1, "values"_a = py::none(),
          "Monte Carlo estimate of E[L(W_TT)] after one TTT step (Sx = I, fixed beta), as `ttt mc --json`:\n"
          "the same bytes for the same (d, n, m, init, eta, trials, seed, estimator, block_size), any threads.\n"
          "Give exactly one of eta=E and eta_star=True. values='blocks' adds 'values', the mean risk of each\n"
          "block (NumPy, no copy); values='trials' the risk of each trial (for the conditional and reduced\n"
          "estimators: its expectation over the test-time set). Returns dict(mean, stderr, ci_low, ci_high,\n"
          "trials, estimator, eta[, values]).");

  py::class_<PySampler>(mod, "GaussianTaskSampler",
                        "Gaussian linear-regression tasks: x ~ N(0, diag(sx)), y = x'beta + eps, eps ~ N(0, sigma2);\n"
                        "the numbers a Monte Carlo trial with the same (seed, index) draws.")
      .def(py::init<const py::array_t<double, py::array::c_style | py::array::forcecast>&, double, long long, long long>(),
           "sx"_a, "sigma2"_a, "n"_a, "m"_a)
      .def_property_readonly("d", &PySampler::d)
      .def_property_readonly("n", &PySampler::n)
      .def_property_readonly("m", &PySampler::m)
      .def("sample", &PySampler::sample, "beta"_a, "seed"_a, "index"_a,
           "Context and test-time set of trial `index`: dict(X (n, d), y (n), X_tr (m, d), y_tr (m), beta (d)).")
      .def("design", &PySampler::design, "seed"_a, "index"_a, "stream"_a, "rows"_a,
           "Rows [0, rows) of a design from counter stream `stream`: (rows, d).")
      .def_static("sample_task", &PySampler::sample_task, "sb"_a, "seed"_a, "index"_a,
                  "A task beta ~ N(0, diag(sb)) for (seed, index).");
}
