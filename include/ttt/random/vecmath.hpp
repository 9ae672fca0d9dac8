// ttt/random/vecmath.hpp: the elementary functions of Box-Muller (log, and cos/sin of 2 pi u) as branch-free
// polynomials, written once for host and device so that GCC vectorizes them in a loop (glibc's vector math is
// only declared under -ffast-math) and CPU and GPU compute the same bits.
//
// Rounding is fixed by the source, not by the compiler: every a*b + c that the compiler could contract into a
// fused multiply-add is written as `fmadd(a, b, c)`, which is a fused multiply-add on the device and on hosts
// compiled with FMA (x86-64-v3 and later, aarch64), and a*b + c (two roundings) on hosts without FMA, where
// nothing can be contracted. All other operations are IEEE +, -, *, / and bit manipulation. So for inputs
// from the Philox generator the results are bit-identical between a scalar and a vectorized evaluation, and
// between host and device when the host has FMA.
//
// Accuracy (tests/random/test_vecmath.cpp, against long double references):
//   log_positive(x), x positive normal:    |error| < 1 ulp   (fdlibm/musl's e_log reduction and polynomial)
//   cos_sin_2pi(k), u = (k + 1/2) 2^-52:   |error| < 1.5 ulp of the result with FMA (measured 1.04), < 2 ulp
//                                          without (measured 1.62), against the exact cos(2 pi u), sin(2 pi u);
//                                          the argument reduction is exact.
// std::cos(2 pi u) itself is off by up to |2 pi u| 2^-53 in the argument (two_pi * u is rounded), so near
// the zeros of cos and sin the two differ in relative terms; the absolute difference is below 2^-50.
#pragma once

#include <ttt/config.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace ttt::random::vm {

TTT_HOST_DEVICE TTT_FORCEINLINE double bits_to_double(std::uint64_t b) {
#if TTT_DEVICE_PASS
  return __longlong_as_double(static_cast<long long>(b));
#else
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
#endif
}

TTT_HOST_DEVICE TTT_FORCEINLINE std::uint64_t double_to_bits(double x) {
#if TTT_DEVICE_PASS
  return static_cast<std::uint64_t>(__double_as_longlong(x));
#else
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
#endif
}

/// a * b + c with the rounding fixed by the target: fused where the target has FMA, else two roundings.
TTT_HOST_DEVICE TTT_FORCEINLINE double fmadd(double a, double b, double c) {
#if TTT_DEVICE_PASS
  return fma(a, b, c);
#elif defined(__FMA__) || defined(__aarch64__)
  return __builtin_fma(a, b, c);
#else
  return a * b + c;
#endif
}

/// Whether fmadd is fused on this host (then host and device results are bit-identical).
constexpr bool host_fmadd_is_fused() {
#if defined(__FMA__) || defined(__aarch64__)
  return true;
#else
  return false;
#endif
}

/// k 2^-52 exactly for an integer 0 <= k < 2^52: the double 1 + k 2^-52 built from bits, minus 1 (no
/// integer-to-double conversion, so it vectorizes without AVX-512DQ).
TTT_HOST_DEVICE TTT_FORCEINLINE double k_times_2m52(std::uint64_t k) {
  return bits_to_double(0x3ff0000000000000ull | k) - 1.0;  // exact (Sterbenz)
}

/// (k + 1/2) 2^-52 for 0 <= k < 2^52: equal to u01_from_bits of <ttt/random/normal.hpp>.
TTT_HOST_DEVICE TTT_FORCEINLINE double u01_from_k52(std::uint64_t k) {
  return k_times_2m52(k) + 0x1p-53;  // (2k + 1) 2^-53 < 1 is representable: exact
}

/// Natural log of a positive normal double (no special cases: not for 0, subnormals, inf, NaN or x < 0).
/// musl's log (from fdlibm's e_log.c): x = 2^k (1 + f), sqrt(2)/2 <= 1 + f < sqrt(2), s = f / (2 + f),
/// log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), with R a degree-7 minimax polynomial in s^2.
TTT_HOST_DEVICE TTT_FORCEINLINE double log_positive(double x) {
  constexpr double ln2_hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000: k ln2_hi exact for |k| < 2^11
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                   Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                   Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  std::uint64_t ix = double_to_bits(x);
  // Reduce x into [sqrt(2)/2, sqrt(2)): shift the exponent so that mantissas >= that of sqrt(2) carry.
  ix += static_cast<std::uint64_t>(0x3ff00000u - 0x3fe6a09eu) << 32;
  const std::uint64_t ek = ix >> 52;                           // k + 1023, in [1, 2046]
  ix = (ix & 0x000fffffffffffffull) + (static_cast<std::uint64_t>(0x3fe6a09eu) << 32);
  const double y = bits_to_double(ix);
  // dk = k exactly, from bits (2^52 + ek) - (2^52 + 1023): no integer-to-double conversion.
  const double dk = bits_to_double(0x4330000000000000ull | ek) - 4503599627371519.0;  // 2^52 + 1023
  const double f = y - 1.0;
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * fmadd(w, fmadd(w, Lg6, Lg4), Lg2);
  const double t2 = z * fmadd(w, fmadd(w, fmadd(w, Lg7, Lg5), Lg3), Lg1);
  const double R = t2 + t1;
  const double lo = dk * ln2_lo;
  const double a = fmadd(s, hfsq + R, lo);
  return fmadd(dk, ln2_hi, (a - hfsq) + f);
}

/// cos(2 pi u) and sin(2 pi u) for u = (k + 1/2) 2^-52, 0 <= k < 2^52 (the second uniform of Box-Muller).
/// Exact reduction on the integer: 4u = q + r with q the nearest quadrant and r in [-1/2, 1/2] (an exact
/// double), then sin(pi r / 2) and cos(pi r / 2) by their Taylor series in r (truncation < 1e-19) and the
/// quadrant's symmetries.
TTT_HOST_DEVICE TTT_FORCEINLINE void cos_sin_2pi(std::uint64_t k, double& c, double& s) {
  // Taylor coefficients of sin(pi r/2) = r sum_j S_j r^2j, cos(pi r/2) = sum_j C_j r^2j, rounded to double;
  // S0 = pi/2 in two parts.
  constexpr double S0 = 1.5707963267948966, S0lo = 6.123233995736766e-17, S1 = -0.6459640975062463,
                   S2 = 0.07969262624616705, S3 = -0.004681754135318688, S4 = 0.00016044118478735983,
                   S5 = -3.598843235212085e-06, S6 = 5.692172921967927e-08, S7 = -6.688035109811468e-10,
                   S8 = 6.0669357311061955e-12;
  constexpr double C1 = -1.2337005501361697, C2 = 0.25366950790104803, C3 = -0.02086348076335296,
                   C4 = 0.0009192602748394266, C5 = -2.5202042373060607e-05, C6 = 4.710874778818172e-07,
                   C7 = -6.386603083791852e-09, C8 = 6.565963114979473e-11, C9 = -5.294400200734623e-13;
  // 4u = (2k + 1) 2^-51: quadrant q = round(4u) mod 4 = top 2 bits of k + 2^49 (mod 2^52), and
  // r = 4u - round(4u) = ((k + 2^49) mod 2^50 + 1/2) 2^-50 - 1/2.
  const std::uint64_t kk = (k + (1ull << 49)) & 0x000fffffffffffffull;
  const std::uint64_t q = kk >> 50;
  const std::uint64_t t = kk & ((1ull << 50) - 1);
  const double r = (k_times_2m52(t) + 0x1p-53) * 4.0 - 0.5;  // exact
  const double z = r * r;
  double ps = fmadd(z, S8, S7);
  ps = fmadd(z, ps, S6);
  ps = fmadd(z, ps, S5);
  ps = fmadd(z, ps, S4);
  ps = fmadd(z, ps, S3);
  ps = fmadd(z, ps, S2);
  ps = fmadd(z, ps, S1);
  const double sr = fmadd(r, S0, r * fmadd(z, ps, S0lo));  // sin(pi r / 2)
  double pc = fmadd(z, C9, C8);
  pc = fmadd(z, pc, C7);
  pc = fmadd(z, pc, C6);
  pc = fmadd(z, pc, C5);
  pc = fmadd(z, pc, C4);
  pc = fmadd(z, pc, C3);
  pc = fmadd(z, pc, C2);
  pc = fmadd(z, pc, C1);
  const double cr = fmadd(z, pc, 1.0);  // cos(pi r / 2)
  // angle = q pi/2 + pi r/2: q = 0: (cr, sr); 1: (-sr, cr); 2: (-cr, -sr); 3: (sr, -cr).
  const bool odd = (q & 1u) != 0;
  const double cc = odd ? sr : cr, ss = odd ? cr : sr;
  c = ((q + 1u) & 2u) ? -cc : cc;
  s = (q & 2u) ? -ss : ss;
}

}  // namespace ttt::random::vm
