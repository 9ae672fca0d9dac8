// tests/theory/det_inputs.hpp: the deterministic small matrices of generate_theory_reference.py (det_sx, det_sb,
// det_w, det_beta, det_u). Every entry is a small integer over a power of two, so the double values are the
// exact values the reference used.
#pragma once

#include <ttt/theory/population_loss.hpp>

namespace ttt::test {

using MatD = ttt::theory::Mat<double>;
using VecD = ttt::theory::Vec<double>;

inline MatD det_sx(int d) {
  MatD S(d, d);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) S(i, j) = i == j ? 1 + (i % 3) / 2.0 : ((i + j) % 3 - 1) / 8.0;
  return S;
}

inline MatD det_sb(int d) {
  MatD S(d, d);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) S(i, j) = i == j ? double(1 + i % 2) : ((i * j) % 2) / 16.0;
  return S;
}

inline MatD det_w(int d) {
  MatD W(d, d);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) W(i, j) = ((3 * i + 5 * j) % 7 - 3) / 64.0;
  return W;
}

inline VecD det_beta(int d) {
  VecD b(d);
  for (int i = 0; i < d; ++i) b[i] = ((7 * i + 2) % 5 - 2) / 4.0 + 1 / 8.0;
  return b;
}

inline VecD det_u(int d) {
  VecD u(d);
  for (int i = 0; i < d; ++i) u[i] = ((5 * i + 1) % 9 - 4) / 2.0;
  return u;
}

// Sum of the absolute values of the terms of Lemma B.2: the scale of its rounding error.
inline double lemma_b2_scale(const MatD& W, const MatD& Sx, const VecD& beta, double s2, double n) {
  const VecD Sb = Sx * beta;
  const VecD WSb = W * Sb;
  return std::fabs(beta.dot(Sb)) + 2 * n * std::fabs(Sb.dot(WSb)) + n * (n + 1) * std::fabs(WSb.dot(Sx * WSb)) +
         n * (std::fabs(beta.dot(Sb)) + s2) * (W.cwiseAbs().transpose() * Sx.cwiseAbs() * W.cwiseAbs() *
                                              Sx.cwiseAbs()).trace() +
         s2;
}

}  // namespace ttt::test
