// simulations/common/simulation.hpp: what every simulation program shares: its options (--out, --full,
// --seed, --threads, --progress), claims with verdicts, and its outputs. A simulation writes into its output
// directory:
//   <name>.json       results: parameters, claims (theory exact / leading, simulation, interval, verdict)
//   *.csv             data tables (raw per-point values and intervals)
//   manifest.json     provenance: command line, git revision, seed, backend, Real type, configuration hash,
//                     threads, wall time, date
// Result files hold no timing, thread count or command line, so their bytes are comparable across runs;
// every file is written atomically. Under mpirun every run of the program is distributed over the ranks
// (<ttt/sim/mpi.hpp>), the results are the same bytes for any rank count, and only rank 0 writes.
#pragma once

#include "cli.hpp"
#include "progress.hpp"

#include <ttt/sim/engine.hpp>
#include <ttt/sim/mpi.hpp>
#include <ttt/sim/one_step.hpp>
#include <ttt/sim/output.hpp>
#include <ttt/sim/statistics.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace ttt::simulation {

using nlohmann::json;

/// One checked statement: a theory value against a simulated value with its interval.
struct Claim {
  std::string id;           // short key, e.g. "crossing_d40"
  std::string statement;    // what is claimed, in words
  double exact = std::numeric_limits<double>::quiet_NaN();    // exact (finite-size) theory
  double leading = std::numeric_limits<double>::quiet_NaN();  // leading-order theory
  double sim = std::numeric_limits<double>::quiet_NaN();      // simulation
  double se = std::numeric_limits<double>::quiet_NaN();
  double ci_low = std::numeric_limits<double>::quiet_NaN();
  double ci_high = std::numeric_limits<double>::quiet_NaN();
  std::string rule;         // how the verdict was decided
  bool pass = false;
  std::string note;

  json to_json() const {
    json j;
    j["id"] = id;
    j["statement"] = statement;
    j["theory_exact"] = cli::number(exact);
    j["theory_leading"] = cli::number(leading);
    j["simulation"] = cli::number(sim);
    j["stderr"] = cli::number(se);
    j["ci_low"] = cli::number(ci_low);
    j["ci_high"] = cli::number(ci_high);
    j["rel_error_exact"] = cli::number(std::isfinite(exact) && exact != 0 ? sim / exact - 1 : std::nan(""));
    j["rel_error_leading"] = cli::number(std::isfinite(leading) && leading != 0 && std::isfinite(sim) ? leading / sim - 1 : std::nan(""));
    j["rule"] = rule;
    j["pass"] = pass;
    if (!note.empty()) j["note"] = note;
    return j;
  }
};

/// |sim - exact| <= 5 se.
inline Claim within_5se(std::string id, std::string statement, double exact, double leading, const sim::Estimate& e) {
  Claim c;
  c.id = std::move(id);
  c.statement = std::move(statement);
  c.exact = exact;
  c.leading = leading;
  c.sim = e.value;
  c.se = e.se;
  c.ci_low = e.ci_low;
  c.ci_high = e.ci_high;
  c.rule = "|simulation - exact| <= 5 se";
  c.pass = std::fabs(e.value - exact) <= 5 * e.se;
  return c;
}

/// The exact value lies in the simulation's interval (for intervals on derived quantities: argmins, crossings).
inline Claim interval_covers(std::string id, std::string statement, double exact, double leading, double sim,
                             double lo, double hi, std::string how) {
  Claim c;
  c.id = std::move(id);
  c.statement = std::move(statement);
  c.exact = exact;
  c.leading = leading;
  c.sim = sim;
  c.ci_low = lo;
  c.ci_high = hi;
  c.rule = "95% interval (" + how + ") covers the exact value";
  c.pass = lo <= exact && exact <= hi;
  return c;
}

namespace detail {
inline std::atomic<bool>& terminate_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}
extern "C" inline void on_sigterm(int) { terminate_requested() = true; }

/// Appends a value to a point key with full precision.
inline void key_add(std::string& k, double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g,", v);
  k += b;
}
}  // namespace detail

/// Options and output handling of a simulation program.
///
/// Sweeps: every Monte Carlo run goes through one_step() / multi_step(), which store the run's block
/// statistics under <out>/.points/<hash of its configuration>.bin (atomically) as soon as it finishes.
/// With --resume, runs whose file exists are read back instead of recomputed; since a run is a pure function
/// of its configuration, a resumed sweep writes the same bytes as an uninterrupted one. SIGTERM stops the
/// sweep after the run in progress (exit status 143, "rerun with --resume"); the environment variable
/// TTT_FAULT_AFTER_POINTS=k kills the process with SIGKILL right after the k-th computed run (fault
/// injection for the tests), and TTT_WAIT_AFTER_POINTS=k makes it announce the k-th run on stderr and wait
/// for a signal (so a test can send SIGTERM at a known point). The point files are removed when the sweep
/// completes.
class Simulation {
 public:
  Simulation(std::string name, std::string description) : m_name(std::move(name)), m_app(description, m_name) {
    m_app.set_version_flag("--version", cli::version_string(m_name));
    m_app.option_defaults()->disable_flag_override();  // "--full=2" is an error, not "--full"
    m_app.add_option("--out", m_out, "output directory")->capture_default_str();
    m_app.add_flag("--full", m_full, "the full configuration (larger d, more trials) instead of the quick one");
    m_app.add_option("--seed", m_seed, "random seed")->capture_default_str()->check(cli::non_negative_integer());
    m_threads_opt = m_app.add_option("--threads", m_threads, "OpenMP threads (default: all cores)");
    m_app.add_flag("--progress", m_progress, "show progress on stderr");
    m_app.add_flag("--resume", m_resume, "reuse the runs an interrupted sweep stored in <out>/.points");
    m_app.footer("Example: " + m_name + " --out results/" + m_name + " --progress");
    m_out = "results/" + m_name;
  }

  /// A one-step Monte Carlo run (checkpointed; see the class comment).
  sim::OneStepRun one_step(const sim::TttSetting& s, sim::Estimator e, std::uint64_t trials, const std::string& label) {
    const sim::RunConfig cfg = run_config(trials, label);
    std::string key = "one_step," + std::string(sim::estimator_name(e)) + "," + setting_key(s) + std::to_string(trials) + "," +
                      std::to_string(cfg.block_size);
    sim::OneStepRun r;
    r.estimator = e;
    if (load_point(key, r.M, r.result.blocks)) {
      r.result.total = sim::merge_in_order(r.result.blocks);
      return r;
    }
    r = sim::run_one_step(s, e, cfg);
    store_point(key, r.M, r.result.blocks);
    return r;
  }

  /// A multi-step brute-force run (checkpointed).
  sim::RunResult<sim::kMaxSteps> multi_step(const sim::TttSetting& s, const std::vector<double>& etas, std::uint64_t trials,
                                            const std::string& label) {
    const sim::RunConfig cfg = run_config(trials, label);
    std::string key = "multi_step," + setting_key(s) + std::to_string(trials) + "," + std::to_string(cfg.block_size) + ",";
    for (double e : etas) detail::key_add(key, e);
    sim::RunResult<sim::kMaxSteps> r;
    std::array<std::array<double, 4>, 3> unused{};
    if (load_point(key, unused, r.blocks)) {
      r.total = sim::merge_in_order(r.blocks);
      return r;
    }
    r = sim::run_multi_step(s, etas, cfg);
    store_point(key, unused, r.blocks);
    return r;
  }

  CLI::App& app() { return m_app; }
  bool full() const { return m_full; }
  std::uint64_t seed() const { return m_seed; }
  const std::string& out_dir() const { return m_out; }
  std::string mode() const { return m_full ? "full" : "quick"; }

  /// A RunConfig with this program's threads and a progress line labelled `label`.
  sim::RunConfig run_config(std::uint64_t trials, const std::string& label) const {
    sim::RunConfig c;
    c.trials = trials;
    c.threads = m_threads;
    c.backend = Backend::omp;
    c.progress = cli::progress_printer(m_name + ": " + label, m_progress);
    return c;
  }

  void note(const std::string& s) const {
    if (m_progress || ::isatty(STDERR_FILENO)) std::fprintf(stderr, "%s: %s\n", m_name.c_str(), s.c_str());
  }

  void add_claim(Claim c) { m_claims.push_back(std::move(c)); }
  json& results() { return m_results; }
  void add_table(const std::string& file, const sim::CsvTable& t) { m_tables.emplace_back(file, t.str()); }

  /// Parses the command line, checks the output directory, runs `body`, writes every output.
  int main(int argc, char** argv, const std::function<void(Simulation&)>& body) {
    const sim::mpi::Session mpi(argc, argv);
    mpi.mute_others();
    m_ranks = mpi.size();
    return cli::run(m_app, argc, argv, [&] {
      if (m_threads_opt->count() > 0) cli::require_at_least(m_threads, 1, "--threads");
      std::string unwritable;
      if (mpi.is_root()) {
        try {
          sim::ensure_writable_dir(m_out);
        } catch (const std::exception& e) {
          unwritable = e.what();
        }
      }
      if (!mpi.all_ok(unwritable.empty())) throw cli::UsageError(unwritable);
      m_root = mpi.is_root();
      if (const char* f = std::getenv("TTT_FAULT_AFTER_POINTS")) m_fault_after = std::atoi(f);
      if (const char* f = std::getenv("TTT_WAIT_AFTER_POINTS")) m_wait_after = std::atoi(f);
      std::signal(SIGTERM, detail::on_sigterm);
      const auto t0 = std::chrono::steady_clock::now();
      try {
        body(*this);
      } catch (const Interrupted&) {
        std::fprintf(stderr, "%s: interrupted by SIGTERM after %d runs; rerun with --resume to continue\n", m_name.c_str(),
                     m_points_done);
        return 143;
      }
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (mpi.is_root()) {
        write_outputs(argc, argv, wall);
        std::error_code ec;
        std::filesystem::remove_all(points_dir(), ec);
      }
      int failed = 0;
      for (const auto& c : m_claims) failed += c.pass ? 0 : 1;
      std::fprintf(stderr, "%s: %zu claims, %d not supported; wrote %s (%.1f s)\n", m_name.c_str(), m_claims.size(),
                   failed, m_out.c_str(), wall);
      return 0;
    });
  }

 private:
  struct Interrupted {};

  std::string points_dir() const { return m_out + "/.points"; }

  static std::string setting_key(const sim::TttSetting& s) {
    std::string k = std::to_string(s.d) + "," + std::to_string(s.n) + "," + std::to_string(s.m) + "," + std::to_string(s.seed) + "," +
                    std::to_string(s.eval_prompts) + ",";
    detail::key_add(k, s.sigma2);
    for (const auto* v : {&s.sx, &s.beta, &s.w0})
      for (double x : *v) detail::key_add(k, x);
    return k;
  }

  /// Reads a stored run: magic, key, coefficient map, block count, raw BlockStats. False when absent or not
  /// this run's (a file from another configuration or a damaged one is recomputed).
  template <int K>
  bool load_point(const std::string& key, std::array<std::array<double, 4>, 3>& M, std::vector<sim::BlockStats<K>>& blocks) const {
    if (!m_resume) return false;
    std::ifstream f(points_dir() + "/" + sim::hex64(sim::config_hash(key)) + ".bin", std::ios::binary);
    if (!f) return false;
    char magic[8];
    std::uint64_t klen = 0, nb = 0;
    std::int32_t k = 0;
    if (!f.read(magic, 8) || std::memcmp(magic, "TTTPT001", 8) != 0) return false;
    if (!f.read(reinterpret_cast<char*>(&k), sizeof k) || k != K) return false;
    if (!f.read(reinterpret_cast<char*>(&klen), sizeof klen) || klen != key.size()) return false;
    std::string stored(klen, '\0');
    if (!f.read(stored.data(), std::streamsize(klen)) || stored != key) return false;
    if (!f.read(reinterpret_cast<char*>(&M), sizeof M)) return false;
    if (!f.read(reinterpret_cast<char*>(&nb), sizeof nb) || nb > (1ull << 32)) return false;
    blocks.resize(nb);
    if (!f.read(reinterpret_cast<char*>(blocks.data()), std::streamsize(nb * sizeof(sim::BlockStats<K>)))) return false;
    return f.peek() == std::char_traits<char>::eof();
  }

  template <int K>
  void store_point(const std::string& key, const std::array<std::array<double, 4>, 3>& M,
                   const std::vector<sim::BlockStats<K>>& blocks) {
    ++m_points_done;
    if (m_root) write_point(key, M, blocks);
    if (m_fault_after > 0 && m_points_done >= m_fault_after) {
      std::fprintf(stderr, "%s: fault injection: SIGKILL after %d runs\n", m_name.c_str(), m_points_done);
      std::fflush(stderr);
      std::raise(SIGKILL);
    }
    if (m_wait_after > 0 && m_points_done == m_wait_after) {
      // Test hook: announce the point and wait (up to 60 s) for the signal the test sends.
      std::fprintf(stderr, "%s: waiting for a signal after %d runs\n", m_name.c_str(), m_points_done);
      std::fflush(stderr);
      for (int i = 0; i < 1200 && !detail::terminate_requested(); ++i) ::usleep(50000);
    }
    if (detail::terminate_requested()) throw Interrupted{};
  }

  /// The point file: magic, K, key, coefficient map, block count, raw BlockStats (written atomically).
  template <int K>
  void write_point(const std::string& key, const std::array<std::array<double, 4>, 3>& M,
                   const std::vector<sim::BlockStats<K>>& blocks) const {
    std::filesystem::create_directories(points_dir());
    std::string b("TTTPT001", 8);
    const std::int32_t k = K;
    const std::uint64_t klen = key.size(), nb = blocks.size();
    b.append(reinterpret_cast<const char*>(&k), sizeof k);
    b.append(reinterpret_cast<const char*>(&klen), sizeof klen);
    b += key;
    b.append(reinterpret_cast<const char*>(&M), sizeof M);
    b.append(reinterpret_cast<const char*>(&nb), sizeof nb);
    b.append(reinterpret_cast<const char*>(blocks.data()), nb * sizeof(sim::BlockStats<K>));
    sim::write_file_atomic(points_dir() + "/" + sim::hex64(sim::config_hash(key)) + ".bin", b);
  }

  void write_outputs(int argc, char** argv, double wall) {
    json r = m_results;
    r["simulation"] = m_name;
    r["mode"] = mode();
    r["seed"] = m_seed;
    json claims = json::array();
    for (const auto& c : m_claims) claims.push_back(c.to_json());
    r["claims"] = claims;
    const std::string body = r.dump(1) + "\n";
    for (const auto& [file, content] : m_tables) sim::write_file_atomic(m_out + "/" + file, content);
    sim::write_file_atomic(m_out + "/" + m_name + ".json", body);
    json man;
    std::string cmd;
    for (int i = 0; i < argc; ++i) cmd += (i ? " " : "") + std::string(argv[i]);
    man["command_line"] = cmd;
    man["git_revision"] = cli::git_revision();
    man["version"] = cli::version_string(m_name);
    man["seed"] = m_seed;
    man["backend"] = "omp";
    man["real_type"] = "double";
    man["mode"] = mode();
    man["config_hash"] = sim::hex64(sim::config_hash(m_results.dump()));
    man["results_hash"] = sim::hex64(sim::config_hash(body));
    man["threads"] = m_threads;
    man["mpi_ranks"] = m_ranks;
    man["wall_seconds"] = wall;
    man["date_utc"] = sim::utc_now();
    sim::write_file_atomic(m_out + "/manifest.json", man.dump(1) + "\n");
  }

  std::string m_name;
  CLI::App m_app;
  std::string m_out;
  bool m_full = false;
  std::uint64_t m_seed = 1;
  int m_threads = 0;
  int m_ranks = 1;
  CLI::Option* m_threads_opt = nullptr;
  bool m_progress = false;
  bool m_resume = false;
  bool m_root = true;
  int m_fault_after = 0;
  int m_wait_after = 0;
  int m_points_done = 0;
  std::vector<Claim> m_claims;
  json m_results;
  std::vector<std::pair<std::string, std::string>> m_tables;
};

/// Log-spaced values from lo to hi (count >= 2).
inline std::vector<double> logspace(double lo, double hi, int count) {
  std::vector<double> v;
  for (int i = 0; i < count; ++i) v.push_back(lo * std::pow(hi / lo, double(i) / double(count - 1)));
  return v;
}

inline std::vector<double> linspace(double lo, double hi, int count) {
  std::vector<double> v;
  for (int i = 0; i < count; ++i) v.push_back(lo + (hi - lo) * double(i) / double(count - 1));
  return v;
}

}  // namespace ttt::simulation
