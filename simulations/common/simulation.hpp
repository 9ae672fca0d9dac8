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
#include <ttt/sim/output.hpp>
#include <ttt/sim/statistics.hpp>

#include <chrono>
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

/// Options and output handling of a simulation program.
class Simulation {
 public:
  Simulation(std::string name, std::string description) : m_name(std::move(name)), m_app(description, m_name) {
    m_app.set_version_flag("--version", cli::version_string(m_name));
    m_app.add_option("--out", m_out, "output directory")->capture_default_str();
    m_app.add_flag("--full", m_full, "the full configuration (larger d, more trials) instead of the quick one");
    m_app.add_option("--seed", m_seed, "random seed")->capture_default_str();
    m_threads_opt = m_app.add_option("--threads", m_threads, "OpenMP threads (default: all cores)");
    m_app.add_flag("--progress", m_progress, "show progress on stderr");
    m_out = "results/" + m_name;
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
      const auto t0 = std::chrono::steady_clock::now();
      body(*this);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (mpi.is_root()) write_outputs(argc, argv, wall);
      int failed = 0;
      for (const auto& c : m_claims) failed += c.pass ? 0 : 1;
      std::fprintf(stderr, "%s: %zu claims, %d not supported; wrote %s (%.1f s)\n", m_name.c_str(), m_claims.size(),
                   failed, m_out.c_str(), wall);
      return 0;
    });
  }

 private:
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
#if defined(TTT_GIT_REVISION)
    man["git_revision"] = TTT_GIT_REVISION;
#endif
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
