// The `ttt` command: closed forms of the TTT theory, warm/cold crossings and Monte Carlo, one subcommand each.
#include "commands.hpp"
#include "../common/cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ttt: test-time training of in-context learners (theory and simulation)", "ttt"};
  app.set_version_flag("--version", ttt::cli::version_string("ttt"));
  app.require_subcommand(1);
  app.footer("Example: ttt theory --d 40 --n 40 --m 40 --init pretrained --json");
  ttt::cmd::Action action;
  ttt::cmd::register_theory(app, action);
  ttt::cmd::register_crossing(app, action);
  ttt::cmd::register_pretrain(app, action);
  return ttt::cli::run(app, argc, argv, [&] { return action ? action() : 0; });
}
