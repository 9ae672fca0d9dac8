// ttt/random/gamma.hpp: Gamma and chi-square variates from counter-addressed Philox streams
// (Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3), 2000), host and
// device. Variate `row` of (seed, trial, stream) consumes Philox pairs (row, k) for its k-th rejection
// attempt: a normal from pair k and an acceptance uniform from pair k + 2^31, so every variate is a pure
// function of its coordinates however many attempts others needed.
#pragma once

#include <ttt/random/normal.hpp>

#include <cmath>
#include <cstdint>

namespace ttt::random {

/// Gamma(shape, 1) for shape > 0.
TTT_HOST_DEVICE inline double gamma_variate(double shape, std::uint64_t seed, std::uint64_t trial,
                                            std::uint32_t stream, std::uint32_t row) {
  const Philox4x32::Key key = key_from_seed(seed);
  // shape < 1: Gamma(a) = Gamma(a + 1) U^(1/a) with U from the reserved pair 2^31 - 1.
  const bool boost = shape < 1.0;
  const double a = boost ? shape + 1.0 : shape;
  const double dd = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * dd);
  double g = 0;
  for (std::uint32_t k = 0;; ++k) {
    double z, z_unused;
    box_muller(Philox4x32::apply(counter_for(trial, stream, row, k), key), z, z_unused);
    const double t = 1.0 + c * z;
    if (t <= 0) continue;
    const double v = t * t * t;
    const Philox4x32::Counter ub = Philox4x32::apply(counter_for(trial, stream, row, k + 0x80000000u), key);
    const double u = u01_from_bits(ub.v[0], ub.v[1]);
    if (std::log(u) < 0.5 * z * z + dd - dd * v + dd * std::log(v)) {
      g = dd * v;
      break;
    }
  }
  if (boost) {
    const Philox4x32::Counter ub = Philox4x32::apply(counter_for(trial, stream, row, 0x7fffffffu), key);
    g *= std::pow(u01_from_bits(ub.v[0], ub.v[1]), 1.0 / shape);
  }
  return g;
}

/// Chi-square with k > 0 degrees of freedom: 2 Gamma(k/2).
TTT_HOST_DEVICE inline double chi_square_variate(double k, std::uint64_t seed, std::uint64_t trial,
                                                 std::uint32_t stream, std::uint32_t row) {
  return 2.0 * gamma_variate(0.5 * k, seed, trial, stream, row);
}

}  // namespace ttt::random
