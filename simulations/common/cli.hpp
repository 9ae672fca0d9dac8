// simulations/common/cli.hpp: what every program of the project shares on its command line: one clear
// error line and exit status 2 for bad input, checked numeric options, JSON with full precision.
#pragma once

#include <ttt/config.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace ttt::cli {

/// Bad input: reported as one line on stderr with exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void require(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}

inline void require_finite(double v, const std::string& name) {
  require(std::isfinite(v), name + " must be a finite number (got " + std::to_string(v) + ")");
}

inline void require_positive(double v, const std::string& name) {
  require_finite(v, name);
  require(v > 0, name + " must be > 0 (got " + std::to_string(v) + ")");
}

inline void require_nonnegative(double v, const std::string& name) {
  require_finite(v, name);
  require(v >= 0, name + " must be >= 0 (got " + std::to_string(v) + ")");
}

template <class Int>
void require_at_least(Int v, Int lo, const std::string& name) {
  require(v >= lo, name + " must be >= " + std::to_string(lo) + " (got " + std::to_string(v) + ")");
}

/// Sizes (d, n, m): at least 1 and at most 2^31 - 1, the row range of the counter-based streams. CLI11
/// clamps integers beyond the range of `long` to its maximum, so that case lands here as well.
inline void require_size(long long v, const std::string& name) {
  constexpr long long max_size = 2147483647LL;
  require(v >= 1, name + " must be >= 1 (got " + std::to_string(v) + ")");
  require(v <= max_size, name + " must be <= " + std::to_string(max_size) + " (got " + std::to_string(v) + ")");
}

/// CLI11 converts "-1" to the largest unsigned value: seeds must be written as non-negative integers.
inline const CLI::Validator& non_negative_integer() {
  static const CLI::Validator v(
      [](std::string& s) -> std::string {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
          return "must be a non-negative integer (got '" + s + "')";
        return {};
      },
      "NONNEGATIVE_INTEGER");
  return v;
}

/// The git revision of the source tree the binary was built from: read at run time when the tree is still
/// there (so a rebuild without reconfiguring is not mislabelled), else the configure-time value.
inline std::string git_revision() {
#if defined(TTT_SOURCE_DIR)
  if (FILE* p = popen("git -C \"" TTT_SOURCE_DIR "\" rev-parse --short=12 HEAD 2>/dev/null", "r")) {
    char buf[64] = {0};
    const bool ok = std::fgets(buf, sizeof buf, p) != nullptr;
    pclose(p);
    std::string r(buf);
    while (!r.empty() && (r.back() == '\n' || r.back() == '\r')) r.pop_back();
    if (ok && !r.empty()) return r;
  }
#endif
#if defined(TTT_GIT_REVISION)
  return TTT_GIT_REVISION;
#else
  return "unknown";
#endif
}

/// Physical memory of the machine in bytes (0 when unknown).
inline double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? double(pages) * double(size) : 0.0;
}

/// Refuses a run whose memory need exceeds the machine's memory, with the estimate.
inline void require_memory(double bytes, const std::string& what) {
  const double have = physical_memory_bytes();
  if (have > 0 && bytes > 0.8 * have) {
    char b[200];
    std::snprintf(b, sizeof b, "%s needs about %.1f GiB of memory; this machine has %.1f GiB", what.c_str(), bytes / 1073741824.0,
                  have / 1073741824.0);
    throw UsageError(b);
  }
}

/// The version line of every binary: version, compiler, Thrust, backends compiled in.
inline std::string version_string(const std::string& program) {
  std::string s = program + " " TTT_VERSION_STRING " (";
#if defined(__clang__)
  s += "clang " __clang_version__;
#elif defined(__GNUC__)
  s += "g++ " __VERSION__;
#endif
  s += "; backends: cpp";
#if TTT_HAVE_OPENMP
  s += " omp";
#endif
#if defined(TTT_HAVE_CUDA)
  s += " cuda";
#endif
  s += "; git " + git_revision() + ")";
  return s;
}

/// Runs a CLI11 application: --help/--version exit 0; parse errors and UsageError print
/// "<program>: error: <message>" on stderr and return 2; other exceptions return 1.
inline int run(CLI::App& app, int argc, char** argv, const std::function<int()>& after_parse = {}) {
  const std::string prog = app.get_name();
  try {
    app.parse(argc, argv);
    return after_parse ? after_parse() : 0;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n') c = ' ';
    std::cerr << prog << ": error: " << what << " (see " << prog << " --help)\n";
    return 2;
  } catch (const UsageError& e) {
    std::cerr << prog << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << prog << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << prog << ": internal error: " << e.what() << "\n";
    return 1;
  }
}

/// A double as JSON (NaN/inf as null, since JSON has no such numbers).
inline nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

/// Prints "key: value" lines (text mode) with 17 significant digits.
inline void print_field(const std::string& key, double v) {
  std::printf("%s: %.17g\n", key.c_str(), v);
}

}  // namespace ttt::cli
