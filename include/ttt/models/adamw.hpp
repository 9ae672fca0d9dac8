// ttt/models/adamw.hpp: AdamW (Loshchilov & Hutter: decoupled weight decay) on a flat parameter buffer,
// with the update order of PyTorch's torch.optim.AdamW, step t = 1, 2, ...:
//   p <- p (1 - lr lambda [p decays])
//   m <- beta1 m + (1 - beta1) g,   v <- beta2 v + (1 - beta2) g^2
//   p <- p - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// plus the learning-rate schedule (linear warm-up, then cosine decay) and global-norm gradient clipping.
#pragma once

#include <ttt/models/parameters.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace ttt::models {

struct AdamWOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;  // lambda, applied to the tensors the layout marks `decay`
};

template <class Real>
class AdamW {
 public:
  AdamW() = default;
  AdamW(const ParameterLayout& layout, const AdamWOptions& options) : m_options(options) {
    m_decay.setZero(layout.size());
    for (const ParamTensor& t : layout.tensors())
      if (t.decay) m_decay.segment(t.offset, t.size()).setOnes();
    reset();
  }
  /// Every element of an n-vector decays (e.g. a KV cache trained as parameters) iff `decay`.
  AdamW(Index n, const AdamWOptions& options, bool decay) : m_options(options) {
    m_decay = ColVector<Real>::Constant(n, decay ? Real(1) : Real(0));
    reset();
  }

  void reset() {
    m_m.setZero(m_decay.size());
    m_v.setZero(m_decay.size());
    m_t = 0;
  }

  /// One update with learning rate lr.
  void step(ColVector<Real>& params, const ColVector<Real>& grad, double lr) {
    if (params.size() != m_decay.size() || grad.size() != m_decay.size())
      throw std::invalid_argument("AdamW::step: parameter and gradient sizes differ from the optimiser's");
    ++m_t;
    const double b1 = m_options.beta1, b2 = m_options.beta2;
    const Real shrink = static_cast<Real>(1.0 - lr * m_options.weight_decay);
    const Real step_size = static_cast<Real>(lr / (1.0 - std::pow(b1, static_cast<double>(m_t))));
    const Real bc2_sqrt = static_cast<Real>(std::sqrt(1.0 - std::pow(b2, static_cast<double>(m_t))));
    const Real rb1 = static_cast<Real>(b1), rb2 = static_cast<Real>(b2), eps = static_cast<Real>(m_options.eps);
    const Real cb1 = static_cast<Real>(1 - b1), cb2 = static_cast<Real>(1 - b2);
    for (Index i = 0; i < params.size(); ++i) {
      if (m_decay[i] != Real(0)) params[i] *= shrink;
      m_m[i] = rb1 * m_m[i] + cb1 * grad[i];
      m_v[i] = rb2 * m_v[i] + cb2 * grad[i] * grad[i];
      params[i] -= step_size * (m_m[i] / (std::sqrt(m_v[i]) / bc2_sqrt + eps));
    }
  }

  const AdamWOptions& options() const { return m_options; }
  std::int64_t steps() const { return m_t; }
  /// Moments and step count (for checkpoints).
  ColVector<Real>& first_moment() { return m_m; }
  ColVector<Real>& second_moment() { return m_v; }
  const ColVector<Real>& first_moment() const { return m_m; }
  const ColVector<Real>& second_moment() const { return m_v; }
  void set_steps(std::int64_t t) { m_t = t; }

 private:
  AdamWOptions m_options;
  ColVector<Real> m_decay;  // 1 where weight decay applies
  ColVector<Real> m_m, m_v;
  std::int64_t m_t = 0;
};

/// Learning rate at step t = 0, 1, ..., total - 1: lr (t + 1) / warmup for t < warmup, then
/// lr_min + (lr - lr_min) (1 + cos(pi (t - warmup) / (total - warmup))) / 2.
inline double cosine_warmup_lr(double lr, std::int64_t t, std::int64_t warmup, std::int64_t total, double lr_min = 0) {
  if (t < warmup) return lr * static_cast<double>(t + 1) / static_cast<double>(warmup);
  const double span = static_cast<double>(std::max<std::int64_t>(total - warmup, 1));
  const double progress = std::min(1.0, static_cast<double>(t - warmup) / span);
  return lr_min + (lr - lr_min) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
}

/// Global-norm clipping as torch.nn.utils.clip_grad_norm_: g <- g min(1, max_norm / (|g| + 1e-6)).
/// Returns |g| before clipping.
template <class Real>
double clip_global_norm(ColVector<Real>& grad, double max_norm) {
  double ss = 0;
  for (Index i = 0; i < grad.size(); ++i) ss += static_cast<double>(grad[i]) * static_cast<double>(grad[i]);
  const double norm = std::sqrt(ss);
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1) grad *= static_cast<Real>(coef);
  return norm;
}

}  // namespace ttt::models
