// tests/models/transformer_fd.hpp: central finite differences and random fills shared by the transformer
// gradient tests (double only).
#pragma once

#include "support/tolerance.hpp"

#include <ttt/models/tensor.hpp>
#include <ttt/random/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ttt::test {

using models::ColVector;
using models::Index;
using models::RowMatrix;

/// Fills `count` numbers at p with N(0, sd^2) from a Philox row (seed, index).
inline void fill_normal(double* p, Index count, std::uint64_t seed, std::uint64_t index, double sd = 1.0) {
  random::NormalRow(seed, index, random::stream_user + 40, 0).fill(p, static_cast<std::uint32_t>(count));
  for (Index i = 0; i < count; ++i) p[i] *= sd;
}

inline RowMatrix<double> random_matrix(Index rows, Index cols, std::uint64_t index, double sd = 1.0) {
  RowMatrix<double> m(rows, cols);
  fill_normal(m.data(), m.size(), 20240607, index, sd);
  return m;
}

/// Central differences (f(x + h e_i) - f(x - h e_i)) / 2h over every element of the buffer [x, x + n).
template <class F>
ColVector<double> fd_gradient(double* x, Index n, F&& f) {
  const double h = fd_step();
  ColVector<double> g(n);
  for (Index i = 0; i < n; ++i) {
    const double x0 = x[i];
    x[i] = x0 + h;
    const double fp = f();
    x[i] = x0 - h;
    const double fm = f();
    x[i] = x0;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/// Largest |analytic - fd| over the tolerance fd_tolerance(1 + max|analytic|); <= 1 passes.
inline double fd_error_ratio(const ColVector<double>& analytic, const ColVector<double>& fd) {
  const double scale = 1.0 + analytic.cwiseAbs().maxCoeff();
  return (analytic - fd).cwiseAbs().maxCoeff() / fd_tolerance(scale);
}

}  // namespace ttt::test
