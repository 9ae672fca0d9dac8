// tests/theory/reference_csv.hpp: reader for tests/reference/theory_reference.csv, the 40-digit mpmath
// values of THEORY.md's closed forms written by tests/reference/generate_theory_reference.py, and the
// comparison used against it.
//
// A row carries an `errbound`: a first-order bound, in units of the double epsilon, on the absolute error of
// evaluating the same formula in double (running error analysis in the script, input rounding included).
// The tolerance is roundoff(errbound), i.e. that bound with tolerance.hpp's safety factor of 4.
#pragma once

#include <support/tolerance.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ttt::test {

struct RefRow {
  std::string group, label, field;
  double d{}, n{}, m{}, B{}, sigma2{}, c{};  // NaN when the column is empty
  bool has_value = false;                    // false for "none"
  double value = std::numeric_limits<double>::quiet_NaN();
  double errbound = 0;
};

namespace detail {

inline double parse_or_nan(const std::string& s) {
  if (s.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::strtod(s.c_str(), nullptr);
}

inline std::vector<RefRow> load_reference_rows() {
  const std::string path = std::string(TTT_TEST_DATA_DIR) + "/theory_reference.csv";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<RefRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (!line.empty() && line.back() == ',') f.emplace_back();
    if (f.size() != 11) throw std::runtime_error("bad reference row: " + line);
    RefRow r;
    r.group = f[0];
    r.label = f[1];
    r.d = parse_or_nan(f[2]);
    r.n = parse_or_nan(f[3]);
    r.m = parse_or_nan(f[4]);
    r.B = parse_or_nan(f[5]);
    r.sigma2 = parse_or_nan(f[6]);
    r.c = parse_or_nan(f[7]);
    r.field = f[8];
    r.has_value = f[9] != "none";
    if (r.has_value) r.value = std::strtod(f[9].c_str(), nullptr);
    r.errbound = f[10].empty() ? 0.0 : std::strtod(f[10].c_str(), nullptr);
    rows.push_back(r);
  }
  return rows;
}

}  // namespace detail

inline const std::vector<RefRow>& reference_rows() {
  static const std::vector<RefRow> rows = detail::load_reference_rows();
  return rows;
}

/// One parameter point of a group: its rows keyed by field.
struct RefPoint {
  const RefRow* first = nullptr;
  std::map<std::string, const RefRow*> fields;
  const RefRow& at(const std::string& f) const {
    auto it = fields.find(f);
    if (it == fields.end()) throw std::runtime_error("reference point lacks field " + f);
    return *it->second;
  }
  bool has(const std::string& f) const { return fields.count(f) != 0; }
};

/// The points of a group in file order; consecutive rows with the same label and parameters form a point.
inline std::vector<RefPoint> reference_points(const std::string& group) {
  std::vector<RefPoint> pts;
  auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  for (const RefRow& r : reference_rows()) {
    if (r.group != group) continue;
    const RefRow* p = pts.empty() ? nullptr : pts.back().first;
    const bool same_point = p && p->label == r.label && same(p->d, r.d) && same(p->n, r.n) && same(p->m, r.m) &&
                            same(p->B, r.B) && same(p->sigma2, r.sigma2) && same(p->c, r.c) &&
                            !pts.back().has(r.field);
    if (!same_point) {
      pts.emplace_back();
      pts.back().first = &r;
    }
    pts.back().fields[r.field] = &r;
  }
  return pts;
}

/// Largest relative error seen per quantity (printed at exit when TTT_PRINT_REF_ERRORS is set: the numbers
/// quoted in reports come from here).
struct RefErrorLog {
  std::map<std::string, double> max_rel;
  ~RefErrorLog() {
    if (!std::getenv("TTT_PRINT_REF_ERRORS")) return;
    for (const auto& [k, v] : max_rel) std::printf("max rel err %-40s %.3g\n", k.c_str(), v);
  }
  void note(const std::string& key, double got, double want) {
    const double rel = want == 0 ? std::fabs(got) : std::fabs(got - want) / std::fabs(want);
    double& x = max_rel[key];
    x = std::max(x, rel);
  }
};

inline RefErrorLog& ref_error_log() {
  static RefErrorLog log;
  return log;
}

/// |got - want| <= roundoff(errbound) + extra_abs, where errbound is the row's running error bound.
inline bool matches_reference(double got, const RefRow& r, double extra_abs = 0) {
  // Exact zeros (within the rounding bound) have no relative error to log.
  if (std::fabs(r.value) > roundoff(r.errbound)) ref_error_log().note(r.group + "/" + r.field, got, r.value);
  return std::fabs(got - r.value) <= roundoff(r.errbound) + extra_abs;
}

/// A printed value ("0.4382", "+.73", "1.369e-4") and half a unit in its last printed digit.
struct Printed {
  double value;
  double half_ulp;
};

inline Printed printed(const std::string& text) {
  int sig = 0;
  bool leading = true;
  for (char ch : text) {
    if (ch == 'e' || ch == 'E') break;
    if (ch < '0' || ch > '9') continue;
    if (leading && ch == '0') continue;
    leading = false;
    ++sig;
  }
  const double v = std::strtod(text.c_str(), nullptr);
  return {v, printed_half_ulp(v, std::max(sig, 1))};
}

/// The value, rounded to the digits printed in THEORY.md, reproduces the printed text.
inline bool reproduces(double value, const std::string& text) {
  const Printed p = printed(text);
  return std::fabs(value - p.value) <= p.half_ulp * (1 + roundoff(4));  // slack for the decimal half-ulp itself
}

}  // namespace ttt::test
