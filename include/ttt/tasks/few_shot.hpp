// ttt/tasks/few_shot.hpp: the task families of the softmax experiments (METHODS.md, "Tasks"), as transformer
// tokens. A task is a rule drawn from (seed, task index); its demonstrations and queries are drawn from
// rows of their own Philox streams, so demonstration i and query j do not depend on k, on q or on batching
// (the first 4 demonstrations of a task are the same for k = 4 and k = 32).
//
// One token per example: demonstration z_i = [x_i; enc(y_i)], query [x; 0] (the label slot zeroed).
//   LinearRegressionFamily  x ~ N(0, I_d), y = x^T beta + eps, beta ~ N(0, diag(spectrum)), eps ~ N(0, s2);
//                           enc(y) = y (1 slot), one output, mean squared error.
//   TokenRuleFamily         x = L tokens from a vocabulary of V (L one-hot blocks); the task's rule is
//                           label = g(token at position p), with p uniform in [0, L) and g: V -> C a random
//                           table; enc(y) = one-hot(y) (C slots), C logits, cross-entropy, accuracy.
//   TabularFamily           x ~ N(0, I_d); the task is a random structural model with c ~ U{2..C} classes:
//                           label = argmax_j (W2 tanh(W1 x + b1))_j, W1 (h x d) ~ N(0, 1/d), b1 ~ N(0, 1),
//                           W2 (c x h) ~ N(0, 1/h); enc(y) = one-hot(y) (C slots), C logits.
//
// Streams (task index = Philox trial): rule from stream_task; demonstration i from rows i of
// stream_context_x / stream_context_noise; query j from rows j of stream_eval_x / stream_eval_noise.
#pragma once

#include <ttt/models/losses.hpp>
#include <ttt/models/tensor.hpp>
#include <ttt/random/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ttt::tasks {

using models::Index;
using models::RowMatrix;

/// k demonstrations and q queries of one task.
template <class Real>
struct FewShotTask {
  RowMatrix<Real> demos;         // (k, input_dim): [x_i; enc(y_i)]
  RowMatrix<Real> demo_queries;  // (k, input_dim): [x_i; 0] (demonstration i as a query, for leave-one-out)
  RowMatrix<Real> demo_targets;  // (k, 1): y_i (value, or class index)
  RowMatrix<Real> queries;       // (q, input_dim): [x; 0]
  RowMatrix<Real> targets;       // (q, 1)
  Index k() const { return demos.rows(); }
  Index q() const { return queries.rows(); }
};

/// B prompts of n demonstrations and one query each: tokens (B*(n+1), input_dim), targets (B, 1).
template <class Real>
struct PromptBatch {
  RowMatrix<Real> tokens;
  RowMatrix<Real> targets;
};

namespace detail {

/// Uniform integer in [0, n) from the uniform of pair `k` of a row.
inline Index uniform_index(const random::NormalRow& row, std::uint32_t k, Index n) {
  const auto v = static_cast<Index>(row.uniform_at(k) * static_cast<double>(n));
  return std::min(v, n - 1);
}

/// The shared parts of every family: drawing tasks and prompt batches from a family's example(...) method.
template <class Family, class Real>
struct FamilyBase {
  /// Task `task` with demonstrations 0..k-1 and queries 0..q-1.
  void draw(std::uint64_t seed, std::uint64_t task, Index k, Index q, FewShotTask<Real>& t) const {
    const Family& f = static_cast<const Family&>(*this);
    if (k < 0 || q < 0) throw std::invalid_argument(f.name() + ": need k, q >= 0");
    const typename Family::Rule rule = f.rule(seed, task);
    const Index D = f.input_dim();
    t.demos.setZero(k, D);
    t.demo_queries.setZero(k, D);
    t.demo_targets.resize(k, 1);
    t.queries.setZero(q, D);
    t.targets.resize(q, 1);
    for (Index i = 0; i < k; ++i) {
      t.demo_targets(i, 0) = f.example(seed, task, rule, false, i, t.demo_queries.row(i));
      t.demos.row(i) = t.demo_queries.row(i);
      f.encode_label(t.demo_targets(i, 0), t.demos.row(i));
    }
    for (Index j = 0; j < q; ++j) t.targets(j, 0) = f.example(seed, task, rule, true, j, t.queries.row(j));
  }

  /// Prompts first, ..., first + B - 1 (prompt = task index), each n demonstrations then query 0.
  void prompt_batch(std::uint64_t seed, std::uint64_t first, Index B, Index n, PromptBatch<Real>& out) const {
    const Family& f = static_cast<const Family&>(*this);
    if (B < 1 || n < 0) throw std::invalid_argument(f.name() + ": need B >= 1, n >= 0");
    const Index T = n + 1, D = f.input_dim();
    out.tokens.setZero(B * T, D);
    out.targets.resize(B, 1);
    for (Index b = 0; b < B; ++b) {
      const std::uint64_t task = first + static_cast<std::uint64_t>(b);
      const typename Family::Rule rule = f.rule(seed, task);
      for (Index i = 0; i < n; ++i) {
        auto row = out.tokens.row(b * T + i);
        f.encode_label(f.example(seed, task, rule, false, i, row), row);
      }
      out.targets(b, 0) = f.example(seed, task, rule, true, 0, out.tokens.row(b * T + n));
    }
  }
};

}  // namespace detail

/// Gaussian linear regression in context; `spectrum` = diagonal of the task covariance (empty: identity).
template <class Real>
class LinearRegressionFamily : public detail::FamilyBase<LinearRegressionFamily<Real>, Real> {
 public:
  struct Rule {
    std::vector<double> beta;
  };

  LinearRegressionFamily(Index d, double sigma2, std::vector<double> spectrum = {})
      : m_d(d), m_sigma(std::sqrt(sigma2)), m_spectrum(std::move(spectrum)) {
    if (d < 1 || !(sigma2 >= 0)) throw std::invalid_argument("LinearRegressionFamily: need d >= 1, sigma2 >= 0");
    if (m_spectrum.empty()) m_spectrum.assign(static_cast<std::size_t>(d), 1.0);
    if (static_cast<Index>(m_spectrum.size()) != d ||
        std::any_of(m_spectrum.begin(), m_spectrum.end(), [](double s) { return !(s >= 0); }))
      throw std::invalid_argument("LinearRegressionFamily: spectrum must have d non-negative entries");
  }

  std::string name() const { return "linreg"; }
  Index d() const { return m_d; }
  Index input_dim() const { return m_d + 1; }
  Index output_dim() const { return 1; }
  models::LossKind loss() const { return models::LossKind::mse; }
  const std::vector<double>& spectrum() const { return m_spectrum; }

  Rule rule(std::uint64_t seed, std::uint64_t task) const {
    Rule r;
    r.beta.resize(static_cast<std::size_t>(m_d));
    random::NormalRow(seed, task, random::stream_task, 0).fill(r.beta.data(), static_cast<std::uint32_t>(m_d));
    for (Index j = 0; j < m_d; ++j) r.beta[std::size_t(j)] *= std::sqrt(m_spectrum[std::size_t(j)]);
    return r;
  }

  /// Writes x into row[0, d) and returns y.
  template <class Row>
  Real example(std::uint64_t seed, std::uint64_t task, const Rule& r, bool query, Index i, Row&& row) const {
    const auto xs = query ? random::stream_eval_x : random::stream_context_x;
    const auto es = query ? random::stream_eval_noise : random::stream_context_noise;
    const random::NormalRow xr(seed, task, xs, static_cast<std::uint32_t>(i));
    double y = m_sigma > 0 ? m_sigma * random::NormalRow(seed, task, es, static_cast<std::uint32_t>(i)).at(0) : 0.0;
    for (Index j = 0; j < m_d; ++j) {
      const double x = xr.at(static_cast<std::uint32_t>(j));
      row(j) = static_cast<Real>(x);
      y += x * r.beta[std::size_t(j)];
    }
    return static_cast<Real>(y);
  }

  template <class Row>
  void encode_label(Real y, Row&& row) const { row(m_d) = y; }

 private:
  Index m_d;
  double m_sigma;
  std::vector<double> m_spectrum;
};

/// Sequences of L tokens from a vocabulary of V, labelled by a per-task lookup of one position's token.
template <class Real>
class TokenRuleFamily : public detail::FamilyBase<TokenRuleFamily<Real>, Real> {
 public:
  struct Rule {
    Index position = 0;
    std::vector<Index> table;  // V entries in [0, C)
  };

  TokenRuleFamily(Index vocabulary, Index length, Index classes) : m_V(vocabulary), m_L(length), m_C(classes) {
    if (vocabulary < 2 || length < 1 || classes < 2)
      throw std::invalid_argument("TokenRuleFamily: need vocabulary >= 2, length >= 1, classes >= 2");
  }

  std::string name() const { return "tokens"; }
  Index vocabulary() const { return m_V; }
  Index length() const { return m_L; }
  Index classes() const { return m_C; }
  Index input_dim() const { return m_L * m_V + m_C; }
  Index output_dim() const { return m_C; }
  models::LossKind loss() const { return models::LossKind::cross_entropy; }

  Rule rule(std::uint64_t seed, std::uint64_t task) const {
    const random::NormalRow u(seed, task, random::stream_task, 0);
    Rule r;
    r.position = detail::uniform_index(u, 0, m_L);
    r.table.resize(static_cast<std::size_t>(m_V));
    for (Index v = 0; v < m_V; ++v) r.table[std::size_t(v)] = detail::uniform_index(u, static_cast<std::uint32_t>(v + 1), m_C);
    return r;
  }

  /// Writes the L one-hot blocks into row[0, L V) and returns the class.
  template <class Row>
  Real example(std::uint64_t seed, std::uint64_t task, const Rule& r, bool query, Index i, Row&& row) const {
    const random::NormalRow u(seed, task, query ? random::stream_eval_x : random::stream_context_x,
                              static_cast<std::uint32_t>(i));
    Index label = 0;
    for (Index l = 0; l < m_L; ++l) {
      const Index tok = detail::uniform_index(u, static_cast<std::uint32_t>(l), m_V);
      row(l * m_V + tok) = Real(1);
      if (l == r.position) label = r.table[std::size_t(tok)];
    }
    return static_cast<Real>(label);
  }

  template <class Row>
  void encode_label(Real y, Row&& row) const { row(m_L * m_V + models::class_index(y, m_C)) = Real(1); }

 private:
  Index m_V, m_L, m_C;
};

/// Tabular classification from random MLP structural models with 2..C classes.
template <class Real>
class TabularFamily : public detail::FamilyBase<TabularFamily<Real>, Real> {
 public:
  struct Rule {
    Index classes = 2;
    RowMatrix<double> W1, W2;  // (h, d), (c, h)
    Eigen::VectorXd b1;        // (h)
  };

  TabularFamily(Index d, Index max_classes, Index hidden = 16) : m_d(d), m_C(max_classes), m_h(hidden) {
    if (d < 1 || max_classes < 2 || hidden < 1)
      throw std::invalid_argument("TabularFamily: need d >= 1, max_classes >= 2, hidden >= 1");
  }

  std::string name() const { return "tabular"; }
  Index d() const { return m_d; }
  Index classes() const { return m_C; }
  Index input_dim() const { return m_d + m_C; }
  Index output_dim() const { return m_C; }
  models::LossKind loss() const { return models::LossKind::cross_entropy; }

  Rule rule(std::uint64_t seed, std::uint64_t task) const {
    Rule r;
    r.classes = 2 + detail::uniform_index(random::NormalRow(seed, task, random::stream_task, 0), 0, m_C - 1);
    r.W1.resize(m_h, m_d);
    r.W2.resize(r.classes, m_h);
    r.b1.resize(m_h);
    random::NormalRow(seed, task, random::stream_task, 1).fill(r.W1.data(), static_cast<std::uint32_t>(m_h * m_d));
    random::NormalRow(seed, task, random::stream_task, 2).fill(r.b1.data(), static_cast<std::uint32_t>(m_h));
    random::NormalRow(seed, task, random::stream_task, 3)
        .fill(r.W2.data(), static_cast<std::uint32_t>(r.classes * m_h));
    r.W1 /= std::sqrt(static_cast<double>(m_d));
    r.W2 /= std::sqrt(static_cast<double>(m_h));
    return r;
  }

  template <class Row>
  Real example(std::uint64_t seed, std::uint64_t task, const Rule& r, bool query, Index i, Row&& row) const {
    Eigen::VectorXd x(m_d);
    random::NormalRow(seed, task, query ? random::stream_eval_x : random::stream_context_x,
                      static_cast<std::uint32_t>(i))
        .fill(x.data(), static_cast<std::uint32_t>(m_d));
    for (Index j = 0; j < m_d; ++j) row(j) = static_cast<Real>(x(j));
    const Eigen::VectorXd h = (r.W1 * x + r.b1).array().tanh().matrix();
    Index label = 0;
    (r.W2 * h).maxCoeff(&label);
    return static_cast<Real>(label);
  }

  template <class Row>
  void encode_label(Real y, Row&& row) const { row(m_d + models::class_index(y, m_C)) = Real(1); }

 private:
  Index m_d, m_C, m_h;
};

}  // namespace ttt::tasks
