// ttt/models/attention_kernel.hpp: the kernel policy of attention, which turns one query's scores
// s_j = scale * q . k_j over the keys into weights p_j (output = sum_j p_j v_j), and its backward.
// `allowed` is the query's mask row (nullptr: every key visible).
//   LinearKernel:  p_j = s_j [j visible]                          (the theory's linear attention)
//   SoftmaxKernel: p_j = exp(s_j) [j visible] / sum_k exp(s_k) [k visible]
#pragma once

#include <ttt/models/tensor.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

namespace ttt::models {

struct LinearKernel {
  static constexpr const char* name = "linear";

  /// In place: s (n) becomes p (n).
  template <class Real>
  static void forward(Real* s, const std::uint8_t* allowed, Index n) {
    if (!allowed) return;
    for (Index j = 0; j < n; ++j)
      if (!allowed[j]) s[j] = Real(0);
  }

  /// In place: dp (n) becomes ds (n).
  template <class Real>
  static void backward(const Real* /*p*/, Real* dp, const std::uint8_t* allowed, Index n) {
    // p_j = s_j [j visible]
    if (!allowed) return;
    for (Index j = 0; j < n; ++j)
      if (!allowed[j]) dp[j] = Real(0);
  }
};

struct SoftmaxKernel {
  static constexpr const char* name = "softmax";

  template <class Real>
  static void forward(Real* s, const std::uint8_t* allowed, Index n) {
    const Real neg_inf = -std::numeric_limits<Real>::infinity();
    Real mx = neg_inf;
    for (Index j = 0; j < n; ++j)
      if ((!allowed || allowed[j]) && s[j] > mx) mx = s[j];
    if (mx == neg_inf) {  // nothing visible
      for (Index j = 0; j < n; ++j) s[j] = Real(0);
      return;
    }
    Real sum = 0;
    for (Index j = 0; j < n; ++j) {
      s[j] = (!allowed || allowed[j]) ? std::exp(s[j] - mx) : Real(0);
      sum += s[j];
    }
    const Real inv = Real(1) / sum;
    for (Index j = 0; j < n; ++j) s[j] *= inv;
  }

  template <class Real>
  static void backward(const Real* p, Real* dp, const std::uint8_t* /*allowed*/, Index n) {
    // p = softmax(s): ds_j = p_j (dp_j - sum_k p_k dp_k)   (hidden keys have p_j = 0, hence ds_j = 0)
    Real dot = 0;
    for (Index j = 0; j < n; ++j) dot += p[j] * dp[j];
    for (Index j = 0; j < n; ++j) dp[j] = p[j] * (dp[j] - dot);
  }
};

}  // namespace ttt::models
