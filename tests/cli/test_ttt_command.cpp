// Tests of the `ttt` command line (simulations/ttt): `ttt theory --json` and `ttt crossing --json` agree with the
// 40-digit mpmath reference within the contract's 1e-9 relative at every reference point, and bad input gives
// exit status 2, exactly one line on stderr and nothing on stdout.
#include <catch2/catch.hpp>

#include <theory/reference_csv.hpp>

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using ttt::test::reference_points;

namespace {

// The contract of the command: printed fields agree with THEORY.md's formulas to 1e-9 relative.
constexpr double cli_rel_tol = 1e-9;

struct Result {
  int status = -1;
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) {
    if (ch == '\'')
      q += "'\\''";
    else
      q += ch;
  }
  return q + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the binary with `args` through the shell, capturing stdout and stderr in temporary files.
Result run_ttt(const std::vector<std::string>& args) {
  char out_tmpl[] = "/tmp/ttt_cli_out_XXXXXX";
  char err_tmpl[] = "/tmp/ttt_cli_err_XXXXXX";
  const int fo = mkstemp(out_tmpl), fe = mkstemp(err_tmpl);
  REQUIRE(fo >= 0);
  REQUIRE(fe >= 0);
  close(fo);
  close(fe);
  std::string cmd = quote(TTT_CLI_BINARY);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " >" + std::string(out_tmpl) + " 2>" + std::string(err_tmpl) + " </dev/null";
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out_tmpl);
  r.err = slurp(err_tmpl);
  std::remove(out_tmpl);
  std::remove(err_tmpl);
  return r;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Within the contract's relative tolerance, or, where the exact value is zero (pre-trained init at d = 1 has
// Lin = 0, so eta* = Delta = 0), within the double-rounding bound of the formula (the row's errbound).
bool agrees(double got, const ttt::test::RefRow& want) {
  if (std::fabs(want.value) > ttt::test::roundoff(want.errbound))
    ttt::test::ref_error_log().note("cli/" + want.field, got, want.value);
  return std::fabs(got - want.value) <= std::fmax(cli_rel_tol * std::fabs(want.value), ttt::test::roundoff(want.errbound));
}

bool close_to(const nlohmann::json& j, const ttt::test::RefRow& want) {
  return j.is_number() && agrees(j.get<double>(), want);
}

int count_lines(const std::string& s) {
  int k = 0;
  for (char ch : s) k += ch == '\n';
  return k;
}

std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += " [" + a + "]";
  return s;
}

}  // namespace

TEST_CASE("ttt theory --json agrees with the mpmath reference", "[cli]") {
  const auto pts = reference_points("cli_theory");
  REQUIRE(pts.size() >= 30);
  int inits[2] = {0, 0}, forms[2] = {0, 0}, noisy = 0;
  for (const auto& p : pts) {
    const auto& r = *p.first;
    const auto us = r.label.find('_');
    const std::string init = r.label.substr(0, us), form = r.label.substr(us + 1);
    const std::vector<std::string> args{"theory", "--d", num(r.d), "--n", num(r.n), "--m", num(r.m),
                                        "--sigma2", num(r.sigma2), "--beta-norm2", num(r.B),
                                        "--init", init, "--form", form, "--json"};
    const Result res = run_ttt(args);
    INFO(joined(args) << "\nstdout: " << res.out << "stderr: " << res.err);
    REQUIRE(res.status == 0);
    CHECK(res.err.empty());
    CHECK(count_lines(res.out) == 1);
    const auto j = nlohmann::json::parse(res.out);
    CHECK(j.size() == 4);
    for (const char* f : {"eta_star", "loss_before", "loss_after", "gain"}) {
      INFO(f << " printed " << j.value(f, nlohmann::json()).dump() << " reference " << p.at(f).value);
      CHECK(close_to(j[f], p.at(f)));
    }
    ++inits[init == "zero"];
    ++forms[form == "leading"];
    noisy += r.sigma2 > 0;
  }
  CHECK(inits[0] > 0);
  CHECK(inits[1] > 0);
  CHECK(forms[0] > 0);
  CHECK(forms[1] > 0);
  CHECK(noisy > 0);
}

TEST_CASE("ttt theory text output carries the same 17-digit values", "[cli]") {
  const auto pts = reference_points("cli_theory");
  int checked = 0;
  for (std::size_t i = 0; i < pts.size(); i += 7) {
    const auto& r = *pts[i].first;
    const auto us = r.label.find('_');
    const std::vector<std::string> args{"theory", "--d", num(r.d), "--n", num(r.n), "--m", num(r.m), "--sigma2",
                                        num(r.sigma2), "--beta-norm2", num(r.B), "--init", r.label.substr(0, us),
                                        "--form", r.label.substr(us + 1)};
    const Result res = run_ttt(args);
    INFO(joined(args) << "\n" << res.out << res.err);
    REQUIRE(res.status == 0);
    std::istringstream in(res.out);
    std::string line;
    int fields = 0;
    while (std::getline(in, line)) {
      const auto colon = line.find(": ");
      REQUIRE(colon != std::string::npos);
      const std::string key = line.substr(0, colon);
      const double v = std::strtod(line.c_str() + colon + 2, nullptr);
      CHECK(agrees(v, pts[i].at(key)));
      ++fields;
    }
    CHECK(fields == 4);
    ++checked;
  }
  CHECK(checked >= 5);
}

TEST_CASE("ttt crossing --json agrees with the mpmath reference", "[cli]") {
  const auto pts = reference_points("cli_crossing");
  REQUIRE(pts.size() >= 30);
  int none = 0;
  for (const auto& p : pts) {
    const auto& r = p.at("m_star");
    const std::vector<std::string> args{"crossing", "--d", num(r.d), "--n", num(r.n), "--form", r.label, "--json"};
    const Result res = run_ttt(args);
    INFO(joined(args) << "\nstdout: " << res.out << "stderr: " << res.err);
    REQUIRE(res.status == 0);
    CHECK(res.err.empty());
    const auto j = nlohmann::json::parse(res.out);
    CHECK(j.size() == 2);
    REQUIRE(j["crossing"].is_boolean());
    CHECK(j["crossing"].get<bool>() == r.has_value);
    if (r.has_value) {
      CHECK(close_to(j["m_star"], r));
    } else {
      CHECK(j["m_star"].is_null());
      ++none;
    }
  }
  CHECK(none >= 3);
}

TEST_CASE("ttt theory: bad input exits 2 with one line on stderr and nothing on stdout", "[cli]") {
  const std::vector<std::string> ok{"--d", "40", "--n", "40", "--m", "40", "--init", "zero"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a{"theory"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::vector<std::vector<std::string>> bad{
      with({}),                                                                         // nothing
      with({"--n", "40", "--m", "40", "--init", "zero"}),                               // missing --d
      with({"--d", "40", "--m", "40", "--init", "zero"}),                               // missing --n
      with({"--d", "40", "--n", "40", "--init", "zero"}),                               // missing --m
      with({"--d", "40", "--n", "40", "--m", "40"}),                                    // missing --init
      with({"--d", "0", "--n", "40", "--m", "40", "--init", "zero"}),                   // d < 1
      with({"--d", "-3", "--n", "40", "--m", "40", "--init", "zero"}),
      with({"--d", "40", "--n", "0", "--m", "40", "--init", "zero"}),                   // n < 1
      with({"--d", "40", "--n", "-0", "--m", "40", "--init", "pretrained"}),
      with({"--d", "40", "--n", "40", "--m", "0", "--init", "zero"}),                   // m < 1
      with({"--d", "40", "--n", "40", "--m", "-1", "--init", "zero"}),
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--sigma2", "-0.1"}),  // negative sigma2
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--beta-norm2", "0"}),  // B <= 0
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--beta-norm2", "-2"}),
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--sigma2", "nan"}),  // NaN
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--beta-norm2", "nan"}),
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--sigma2", "inf"}),
      with({"--d", "nan", "--n", "40", "--m", "40", "--init", "zero"}),
      with({"--d", "abc", "--n", "40", "--m", "40", "--init", "zero"}),                 // not a number
      with({"--d", "2.5", "--n", "40", "--m", "40", "--init", "zero"}),                 // not an integer
      with({"--d", "", "--n", "40", "--m", "40", "--init", "zero"}),                    // empty value
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--foo", "1"}),    // unknown option
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--d"}),           // missing value
      with({"--d", "40", "--n", "--m", "40", "--init", "zero"}),                        // value swallowed
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "warm"}),                  // bad --init
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--form", "approx"}),  // bad --form
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "stray"}),         // positional
      with({"--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--sigma2"}),      // missing value
  };
  REQUIRE(bad.size() >= 20);
  for (const auto& args : bad) {
    const Result r = run_ttt(args);
    INFO(joined(args) << "\nstdout: [" << r.out << "] stderr: [" << r.err << "]");
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
    CHECK((!r.err.empty() && r.err.back() == '\n'));
  }
  // A valid call with the same options succeeds (the table above differs from it in one respect each).
  CHECK(run_ttt(with(ok)).status == 0);
}

TEST_CASE("ttt theory: no noisy pretrained-exact or leading form; the error says so", "[cli]") {
  const std::vector<std::vector<std::string>> no_form{
      {"theory", "--d", "40", "--n", "40", "--m", "40", "--init", "pretrained", "--sigma2", "0.5"},
      {"theory", "--d", "40", "--n", "40", "--m", "40", "--init", "pretrained", "--sigma2", "1e-300", "--json"},
      {"theory", "--d", "40", "--n", "40", "--m", "40", "--init", "pretrained", "--form", "leading", "--sigma2", "0.25"},
      {"theory", "--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--form", "leading", "--sigma2", "0.25"},
      {"theory", "--d", "3", "--n", "1", "--m", "1", "--init", "zero", "--form", "leading", "--sigma2", "5"},
  };
  for (const auto& args : no_form) {
    const Result r = run_ttt(args);
    INFO(joined(args) << "\nstdout: [" << r.out << "] stderr: [" << r.err << "]");
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
    // The message names the missing form and the noise that rules it out.
    CHECK(r.err.find("form") != std::string::npos);
    CHECK(r.err.find("sigma2") != std::string::npos);
  }
  // The same settings without noise, and zero init exact with noise, are valid.
  CHECK(run_ttt({"theory", "--d", "40", "--n", "40", "--m", "40", "--init", "pretrained", "--sigma2", "0"}).status == 0);
  CHECK(run_ttt({"theory", "--d", "40", "--n", "40", "--m", "40", "--init", "zero", "--sigma2", "0.5"}).status == 0);
}

TEST_CASE("ttt crossing: bad input exits 2 with one line on stderr and nothing on stdout", "[cli]") {
  auto with = [](std::vector<std::string> extra) {
    std::vector<std::string> a{"crossing"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::vector<std::vector<std::string>> bad{
      with({}),
      with({"--n", "40"}),                                  // missing --d
      with({"--d", "40"}),                                  // missing --n
      with({"--d", "0", "--n", "40"}),                      // d < 1
      with({"--d", "-1", "--n", "40"}),
      with({"--d", "40", "--n", "0"}),                      // n < 1
      with({"--d", "40", "--n", "-5"}),
      with({"--d", "40", "--n", "-0"}),
      with({"--d", "nan", "--n", "40"}),                    // NaN
      with({"--d", "40", "--n", "nan"}),
      with({"--d", "inf", "--n", "40"}),
      with({"--d", "abc", "--n", "40"}),                    // not a number
      with({"--d", "2.5", "--n", "40"}),                    // not an integer
      with({"--d", "", "--n", "40"}),                       // empty value
      with({"--d", "1e400", "--n", "40"}),                  // not an integer
      with({"--d", "40", "--n", "40", "--form", "approx"}),  // bad --form
      with({"--d", "40", "--n", "40", "--form"}),           // missing value
      with({"--d", "40", "--n"}),                           // missing value
      with({"--d", "--n", "40"}),                           // value swallowed
      with({"--d", "40", "--n", "40", "--m", "3"}),         // unknown option for crossing
      with({"--d", "40", "--n", "40", "--sigma2", "0.1"}),  // unknown option for crossing
      with({"--d", "40", "--n", "40", "--beta-norm2", "2"}),
      with({"--d", "40", "--n", "40", "--init", "zero"}),
      with({"--d", "40", "--n", "40", "extra"}),            // positional
  };
  REQUIRE(bad.size() >= 20);
  for (const auto& args : bad) {
    const Result r = run_ttt(args);
    INFO(joined(args) << "\nstdout: [" << r.out << "] stderr: [" << r.err << "]");
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
    CHECK((!r.err.empty() && r.err.back() == '\n'));
  }
  // No subcommand, or an unknown one.
  for (const auto& args : std::vector<std::vector<std::string>>{{}, {"bogus"}}) {
    const Result r = run_ttt(args);
    INFO(joined(args) << "\nstderr: [" << r.err << "]");
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
  }
  CHECK(run_ttt(with({"--d", "40", "--n", "40"})).status == 0);
}

// Integers beyond the range of `long` (which CLI11 clamps to LONG_MAX) and sizes beyond 2^31 - 1 are refused.
TEST_CASE("integer options out of range are rejected", "[cli]") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"theory", "--d", "99999999999999999999999", "--n", "40", "--m", "40", "--init", "zero"},
           {"theory", "--d", "40", "--n", "40", "--m", "9223372036854775808", "--init", "zero"},
           {"crossing", "--d", "99999999999999999999999", "--n", "4", "--form", "leading"},
           {"theory", "--d", "40", "--n", "2147483648", "--m", "40", "--init", "zero"},
           {"mc", "--d", "4", "--n", "4", "--m", "99999999999999999999", "--init", "zero", "--eta", "0.1", "--trials", "10"}}) {
    const Result r = run_ttt(args);
    INFO(joined(args) << "\nstdout: [" << r.out << "] stderr: [" << r.err << "]");
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
  }
}
