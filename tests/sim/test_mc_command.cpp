// Tests of the `ttt mc` command: agreement with `ttt theory`, byte-identical output across thread counts
// and CPU backends, and bad input (one stderr line, exit status 2, nothing on stdout).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

struct Result {
  int status;
  std::string out, err;
};

Result run(const std::string& args) {
  const std::string errfile = std::string(TTT_BINARY_DIR) + "/tests/.mc_cmd_stderr";
  const std::string cmd = std::string(TTT_CMD) + " " + args + " 2>" + errfile;
  Result r{};
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  std::size_t k;
  while ((k = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), k);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream f(errfile);
  std::stringstream ss;
  ss << f.rdbuf();
  r.err = ss.str();
  std::remove(errfile.c_str());
  return r;
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("ttt mc at d = n = m = 40 agrees with ttt theory", "[mc][cli]") {
  for (const char* init : {"pretrained", "zero"}) {
    const std::string common = std::string(" --d 40 --n 40 --m 40 --init ") + init + " --json";
    const auto th = nlohmann::json::parse(run("theory" + common).out);
    for (const char* est : {"auto", "conditional"}) {
      const auto r = run("mc" + common + " --eta-star --trials 100000 --seed 1 --estimator " + est);
      REQUIRE(r.status == 0);
      const auto j = nlohmann::json::parse(r.out);
      INFO(init << " " << est << ": " << r.out << " theory " << th.dump());
      CHECK(j["trials"] == 100000);
      CHECK(j["stderr"].get<double>() < 0.003 * j["mean"].get<double>());
      // Agreement within 5 standard errors (the project's rule for single checks); the 95% interval's
      // calibration is tested over many seeds in test_ttt_trial.cpp.
      CHECK(std::fabs(j["mean"].get<double>() - th["loss_after"].get<double>()) < 5 * j["stderr"].get<double>());
      const double half = j["ci_high"].get<double>() - j["mean"].get<double>();
      CHECK(half == Approx(1.959963984540054 * j["stderr"].get<double>()).epsilon(1e-4));
    }
  }
}

TEST_CASE("ttt mc brute force at d = n = m = 40 with 100000 trials", "[mc][cli][slow]") {
  const auto th = nlohmann::json::parse(run("theory --d 40 --n 40 --m 40 --init pretrained --json").out);
  const auto r = run("mc --d 40 --n 40 --m 40 --init pretrained --eta-star --trials 100000 --seed 1 --estimator brute --json");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  INFO(r.out);
  CHECK(j["stderr"].get<double>() < 0.003 * j["mean"].get<double>());
  CHECK(std::fabs(j["mean"].get<double>() - th["loss_after"].get<double>()) < 5 * j["stderr"].get<double>());
}

TEST_CASE("ttt mc output is byte-identical across threads and CPU backends", "[mc][cli][parity]") {
  for (const char* est : {"brute", "reduced", "conditional"}) {
    const std::string a = std::string("mc --d 24 --n 30 --m 20 --sigma2 0.3 --init zero --eta 1e-4 --trials 3000 --seed 9 --json --estimator ") + est;
    const auto r1 = run(a + " --threads 1"), r2 = run(a + " --threads 2"), rc = run(a + " --backend cpp");
    REQUIRE(r1.status == 0);
    CHECK(r1.out == r2.out);
    CHECK(r1.out == rc.out);
    CHECK(r1.out.find("thread") == std::string::npos);
  }
}

TEST_CASE("ttt mc rejects bad input with one line and status 2", "[mc][cli]") {
  const char* bad[] = {
      "mc --d 0 --n 4 --m 4 --eta 0.1 --init zero --trials 10",
      "mc --d -3 --n 4 --m 4 --eta 0.1 --init zero --trials 10",
      "mc --d 4 --n 0 --m 4 --eta 0.1 --init zero --trials 10",
      "mc --d 4 --n 4 --m 0 --eta 0.1 --init zero --trials 10",
      "mc --d 4 --n 4 --m 4 --eta nan --init zero --trials 10",
      "mc --d 4 --n 4 --m 4 --eta inf --init zero --trials 10",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 0",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 10 --threads 0",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 10 --threads -2",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 10 --sigma2 -1",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 10 --beta-norm2 0",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init warm --trials 10",
      "mc --d 4 --n 4 --m 4 --init zero --trials 10",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --eta-star --init zero --trials 10",
      "mc --d 4 --n 4 --m 4 --eta-star --sigma2 0.5 --init pretrained --trials 10",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 10 --estimator magic",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 10 --backend tpu",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 10 --bogus",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials",
      "mc --d four --n 4 --m 4 --eta 0.1 --init zero --trials 10",
      "mc --d 4 --n 4 --m 4 --eta 0.1 --init zero --trials 10 --estimator fresh --eval-prompts 0",
  };
  for (const char* args : bad) {
    const auto r = run(args);
    INFO(args << " -> status " << r.status << ", stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.out.empty());
  }
}
