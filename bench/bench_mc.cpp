// bench_mc: throughput of the one-step TTT Monte Carlo estimators and of the normal generator, for
// scripts/bench.sh. Each measurement prints one JSON object on stdout (median of `reps` repetitions).
//
//   bench_mc gen    D N M THREADS SECONDS REPS        draw (N+M) rows of D normals per "trial", as the brute
//                                                     trial does (block of rows into an L1 buffer), no trial
//   bench_mc genold D N M THREADS SECONDS REPS        the same with the scalar NormalRow (std::log/cos/sin)
//   bench_mc mc EST D N M THREADS SECONDS REPS INIT SIGMA2
//                                                     run_one_step with EST = brute|conditional|reduced;
//                                                     INIT = zero|pretrained; reports trials/s and the
//                                                     standard error of the risk at the exact optimal step
#include <ttt/random/normal_block.hpp>
#include <ttt/sim/one_step.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/pretrained.hpp>

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t k = v.size() / 2;
  return v.size() % 2 ? v[k] : 0.5 * (v[k - 1] + v[k]);
}

volatile double g_sink = 0;

/// Trials/s of drawing only the normals of brute trials (t0 .. t0 + count - 1), `threads` threads.
template <bool Old>
double draw_rate(int d, int n, int m, int threads, double secs) {
  const int R = ttt::sim::detail::design_chunk_rows(d);
  auto run = [&](std::uint64_t t0, std::uint64_t count) {
    double sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    {
      std::vector<double> buf(std::size_t(R) * std::size_t(d));
#pragma omp for schedule(static)
      for (long long k = 0; k < static_cast<long long>(count); ++k) {
        const std::uint64_t t = t0 + static_cast<std::uint64_t>(k);
        for (std::uint32_t stream : {ttt::random::stream_context_x, ttt::random::stream_train_x}) {
          const int rows = stream == ttt::random::stream_context_x ? n : m;
          const ttt::random::PolyNormalStream gen(1, t, stream);
          for (int i0 = 0; i0 < rows; i0 += R) {
            const int nr = std::min(R, rows - i0);
            if constexpr (Old) {
              for (int i = 0; i < nr; ++i)
                ttt::random::NormalRow(1, t, stream, std::uint32_t(i0 + i))
                    .fill(buf.data() + std::size_t(i) * std::size_t(d), std::uint32_t(d));
            } else {
              gen.fill_rows(std::uint32_t(i0), std::uint32_t(nr), std::uint32_t(d), buf.data());
            }
            sink += buf[std::size_t(nr) * std::size_t(d) - 1];
          }
        }
      }
    }
    g_sink = g_sink + sink;
  };
  // Calibrate: double the count until one run takes 0.2 s, then size the run to `secs`.
  std::uint64_t count = std::uint64_t(std::max(1, threads));
  double el = 0;
  for (;;) {
    const auto t = Clock::now();
    run(0, count);
    el = seconds_since(t);
    if (el > 0.2) break;
    count *= 2;
  }
  count = std::max<std::uint64_t>(count, std::uint64_t(double(count) * secs / el));
  const auto t = Clock::now();
  run(1000000, count);
  return double(count) / seconds_since(t);
}

struct McResult {
  double rate, mean, se, seconds;
  unsigned long long trials;
};

McResult mc_rate(ttt::sim::Estimator e, int d, int n, int m, int threads, double secs, const std::string& init,
                 double s2) {
  const double c = init == "pretrained" ? ttt::theory::pretrained_scale_isotropic<double>(d, n, s2) : 0.0;
  const double eta = init == "pretrained" ? ttt::theory::one_step_risk_pretrained_exact<double>(d, n, m).eta_star()
                                          : ttt::theory::one_step_risk_zero_exact<double>(d, n, m, 1.0, s2).eta_star();
  const ttt::sim::TttSetting s = ttt::sim::isotropic_setting(d, n, m, s2, 1.0, c, 7);
  ttt::sim::RunConfig cfg;
  cfg.backend = ttt::Backend::omp;
  cfg.threads = threads;
  // Blocks of about 20 ms (the block size only fixes the summation order).
  const double work = e == ttt::sim::Estimator::brute ? double(n + m) * d
                      : e == ttt::sim::Estimator::conditional ? double(n) * d : 1.0;
  cfg.block_size = std::uint32_t(std::clamp(2e6 / work, 1.0, 4096.0));
  auto run = [&](std::uint64_t trials) {
    cfg.trials = trials;
    const auto t = Clock::now();
    const ttt::sim::OneStepRun r = ttt::sim::run_one_step(s, e, cfg);
    const double el = seconds_since(t);
    const ttt::sim::Estimate est = r.curve().risk(eta);
    return McResult{double(trials) / el, est.value, est.se, el, static_cast<unsigned long long>(trials)};
  };
  std::uint64_t trials = std::uint64_t(cfg.block_size) * std::uint64_t(2 * threads);
  McResult r{};
  for (;;) {
    r = run(trials);
    if (r.seconds > 0.2) break;
    trials *= 2;
  }
  const std::uint64_t b = cfg.block_size;
  trials = std::max<std::uint64_t>(trials, std::uint64_t(double(trials) * secs / r.seconds) / b * b);
  return run(trials);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: see the comment at the top of bench/bench_mc.cpp\n");
    return 2;
  }
  const std::string mode = argv[1];
  if ((mode == "gen" || mode == "genold") && argc == 8) {
    const int d = std::atoi(argv[2]), n = std::atoi(argv[3]), m = std::atoi(argv[4]), th = std::atoi(argv[5]);
    const double secs = std::atof(argv[6]);
    const int reps = std::atoi(argv[7]);
    std::vector<double> rates;
    for (int k = 0; k < reps; ++k)
      rates.push_back(mode == "gen" ? draw_rate<false>(d, n, m, th, secs) : draw_rate<true>(d, n, m, th, secs));
    const double r = median(rates);
    std::printf("{\"mode\":\"%s\",\"d\":%d,\"n\":%d,\"m\":%d,\"threads\":%d,\"trials_per_s\":%.6g,"
                "\"normals_per_s\":%.6g,\"reps\":%d,\"min\":%.6g,\"max\":%.6g}\n",
                mode.c_str(), d, n, m, th, r, r * double(n + m) * d, reps,
                *std::min_element(rates.begin(), rates.end()), *std::max_element(rates.begin(), rates.end()));
    return 0;
  }
  if (mode == "mc" && argc == 11) {
    const ttt::sim::Estimator e = ttt::sim::parse_estimator(argv[2]);
    const int d = std::atoi(argv[3]), n = std::atoi(argv[4]), m = std::atoi(argv[5]), th = std::atoi(argv[6]);
    const double secs = std::atof(argv[7]);
    const int reps = std::atoi(argv[8]);
    const std::string init = argv[9];
    const double s2 = std::atof(argv[10]);
    std::vector<double> rates, var_time;
    McResult last{};
    for (int k = 0; k < reps; ++k) {
      last = mc_rate(e, d, n, m, th, secs, init, s2);
      rates.push_back(last.rate);
      var_time.push_back(last.se * last.se * last.seconds);  // (per-trial variance) x (seconds per trial)
    }
    std::printf("{\"mode\":\"mc\",\"estimator\":\"%s\",\"d\":%d,\"n\":%d,\"m\":%d,\"threads\":%d,\"init\":\"%s\","
                "\"sigma2\":%g,\"trials_per_s\":%.6g,\"min\":%.6g,\"max\":%.6g,\"reps\":%d,\"mean\":%.10g,"
                "\"se\":%.6g,\"trials\":%llu,\"var_x_seconds\":%.6g}\n",
                argv[2], d, n, m, th, init.c_str(), s2, median(rates), *std::min_element(rates.begin(), rates.end()),
                *std::max_element(rates.begin(), rates.end()), reps, last.mean, last.se, last.trials,
                median(var_time));
    return 0;
  }
  std::fprintf(stderr, "bench_mc: bad arguments (see bench/bench_mc.cpp)\n");
  return 2;
}
