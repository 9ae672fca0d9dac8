// `ttt crossing`: the test-time set size at which zero init overtakes pretrained init (Cor 4.6).
#include "commands.hpp"
#include "../common/cli.hpp"

#include <ttt/theory/isotropic.hpp>

#include <memory>

namespace ttt::cmd {
namespace {

struct CrossingOptions {
  long d = 0, n = 0;
  std::string form = "exact";
  bool json = false;
};

int run_crossing(const CrossingOptions& o) {
  cli::require_size(o.d, "--d");
  cli::require_size(o.n, "--n");
  const double d = double(o.d), n = double(o.n);
  std::optional<double> m_star;
  if (o.form == "exact")
    m_star = theory::crossing_m_exact(d, n);
  else
    m_star = theory::crossing_m_leading(d, n);
  if (o.json) {
    nlohmann::json j;
    j["m_star"] = m_star ? cli::number(*m_star) : nlohmann::json(nullptr);
    j["crossing"] = m_star.has_value();
    std::printf("%s\n", j.dump().c_str());
  } else {
    if (m_star)
      cli::print_field("m_star", *m_star);
    else
      std::printf("m_star: null\n");
    std::printf("crossing: %s\n", m_star ? "true" : "false");
  }
  return 0;
}

}  // namespace

void register_crossing(CLI::App& app, Action& action) {
  auto o = std::make_shared<CrossingOptions>();
  CLI::App* sub = app.add_subcommand(
      "crossing", "Test-time set size m* where pretrained and zero init tie after one optimal step (sigma2 = 0, B = 1)");
  sub->add_option("--d", o->d, "feature dimension d")->required();
  sub->add_option("--n", o->n, "context length n")->required();
  sub->add_option("--form", o->form, "exact (root of the exact forms in m in [0.5, 1e7]) or leading (Cor 4.6)")
      ->capture_default_str()->check(CLI::IsMember({"exact", "leading"}));
  sub->add_flag("--json", o->json, "print one JSON object");
  sub->footer("Example: ttt crossing --d 40 --n 40 --json");
  sub->callback([o, &action] { action = [o] { return run_crossing(*o); }; });
}

}  // namespace ttt::cmd
