// simulations/common/progress.hpp: progress lines on stderr for long runs (only when stderr is a terminal
// or progress was asked for), never on stdout and never in result files.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <unistd.h>

namespace ttt::cli {

inline bool progress_wanted(bool forced) { return forced || ::isatty(STDERR_FILENO); }

/// A callback (done, total) printing "label: 42% (done/total)" at most every half second.
inline std::function<void(std::uint64_t, std::uint64_t)> progress_printer(const std::string& label, bool enabled) {
  if (!enabled) return {};
  auto last = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [label, last](std::uint64_t done, std::uint64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - *last < std::chrono::milliseconds(500)) return;
    *last = now;
    std::fprintf(stderr, "\r%s: %3d%% (%llu/%llu)%s", label.c_str(), int(100.0 * double(done) / double(total)),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), done == total ? "\n" : "");
    std::fflush(stderr);
  };
}

}  // namespace ttt::cli
