// Tests of <ttt/random/vecmath.hpp>: the accuracy of the library's log and cos/sin of 2 pi u against long
// double references and against std::log, std::cos, std::sin, and the exactness of the uniform map.
#include <ttt/random/normal.hpp>
#include <ttt/random/vecmath.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>

using namespace ttt::random;

namespace {

/// The error bounds the header states, in units in the last place of the double result: log < 1 ulp;
/// cos/sin < 1.5 ulp with fused multiply-adds, < 2 ulp with two roundings (hosts without FMA).
constexpr double log_ulps = 1.0;
constexpr double sincos_ulps = vm::host_fmadd_is_fused() ? 1.5 : 2.0;

/// |x - ref| in ulps of the double nearest ref.
double ulps(double x, long double ref) {
  const double r = static_cast<double>(ref);
  const double ulp = std::nextafter(std::fabs(r), INFINITY) - std::fabs(r);
  return static_cast<double>(std::fabs(static_cast<long double>(x) - ref) / ulp);
}

const long double pi_l = 3.141592653589793238462643383279502884L;

}  // namespace

TEST_CASE("u01_from_k52 equals u01_from_bits exactly", "[random][vecmath]") {
  std::mt19937_64 g(1);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t b = g();
    const auto hi = static_cast<std::uint32_t>(b >> 32), lo = static_cast<std::uint32_t>(b);
    REQUIRE(vm::u01_from_k52(b >> 12) == u01_from_bits(hi, lo));
  }
  CHECK(vm::u01_from_k52(0) == u01_from_bits(0u, 0u));
  CHECK(vm::u01_from_k52((std::uint64_t{1} << 52) - 1) == u01_from_bits(0xffffffffu, 0xffffffffu));
}

TEST_CASE("log_positive is within 1 ulp of the true log and of std::log", "[random][vecmath]") {
  std::mt19937_64 g(2);
  double worst = 0, worst_std = 0;
  auto check = [&](double x) {
    const double y = vm::log_positive(x);
    worst = std::fmax(worst, ulps(y, std::log(static_cast<long double>(x))));
    const double s = std::log(x);
    if (s != 0) worst_std = std::fmax(worst_std, std::fabs(y - s) / (std::nextafter(std::fabs(s), INFINITY) - std::fabs(s)));
    else CHECK(y == 0);
  };
  // The uniforms of Box-Muller: (k + 1/2) 2^-52 over all 52-bit k, spread over every binade down to 2^-53.
  for (int i = 0; i < 400000; ++i) check(vm::u01_from_k52(g() >> 12 >> (g() % 52)));
  for (std::uint64_t k : {std::uint64_t{0}, std::uint64_t{1}, (std::uint64_t{1} << 51), (std::uint64_t{1} << 52) - 1})
    check(vm::u01_from_k52(k));
  // Around 1 (cancellation) and over a wide range of exponents.
  for (int i = 0; i < 100000; ++i) check(1.0 + (static_cast<double>(g() >> 11) * 0x1p-53 - 0.5) * 0x1p-10);
  for (int i = 0; i < 100000; ++i) check(std::ldexp(1.0 + static_cast<double>(g() >> 11) * 0x1p-53, int(g() % 2000) - 1000));
  INFO("max error " << worst << " ulp vs long double; " << worst_std << " ulp vs std::log");
  CHECK(worst < log_ulps);
  CHECK(worst_std <= log_ulps);
}

TEST_CASE("cos_sin_2pi is within 1.5 ulp (2 without FMA) of cos and sin of 2 pi u", "[random][vecmath]") {
  std::mt19937_64 g(3);
  double worst = 0, worst_abs_std = 0;
  auto check = [&](std::uint64_t k) {
    double c, s;
    vm::cos_sin_2pi(k, c, s);
    // Reference: the same exact reduction in integers, then cosl/sinl of (pi/2) r in long double (the
    // reduction, not the long double 2 pi u, keeps the reference accurate near the zeros).
    const std::uint64_t kk = (k + (std::uint64_t{1} << 49)) & ((std::uint64_t{1} << 52) - 1);
    const unsigned q = static_cast<unsigned>(kk >> 50);
    const long double r = (static_cast<long double>(kk & ((std::uint64_t{1} << 50) - 1)) + 0.5L) * 0x1p-50L - 0.5L;
    const long double cr = std::cos(pi_l / 2 * r), sr = std::sin(pi_l / 2 * r);
    const long double cref = q == 0 ? cr : q == 1 ? -sr : q == 2 ? -cr : sr;
    const long double sref = q == 0 ? sr : q == 1 ? cr : q == 2 ? -sr : -cr;
    worst = std::fmax(worst, std::fmax(ulps(c, cref), ulps(s, sref)));
    // And std::cos/std::sin of the rounded argument two_pi * u: absolutely close.
    const double u = vm::u01_from_k52(k);
    worst_abs_std = std::fmax(worst_abs_std, std::fmax(std::fabs(c - std::cos(two_pi * u)), std::fabs(s - std::sin(two_pi * u))));
    CHECK(c * c + s * s == Approx(1.0).epsilon(4e-16));
  };
  for (int i = 0; i < 400000; ++i) check(g() >> 12);
  // Near the quadrant boundaries and the zeros of cos and sin.
  for (std::uint64_t q = 0; q < 8; ++q)
    for (std::uint64_t e = 0; e < 64; ++e) {
      const std::uint64_t base = q << 49;
      check((base + e) & ((std::uint64_t{1} << 52) - 1));
      check((base - e - 1) & ((std::uint64_t{1} << 52) - 1));
    }
  INFO("max error " << worst << " ulp vs exact; " << worst_abs_std << " absolute vs std::cos/std::sin(two_pi u)");
  CHECK(worst < sincos_ulps);
  CHECK(worst_abs_std < 0x1p-50);
}
