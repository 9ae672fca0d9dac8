// The `ttt` command: closed forms of the TTT theory, warm/cold crossings and Monte Carlo, one subcommand each.
#include "commands.hpp"
#include "../common/cli.hpp"

#include <ttt/sim/mpi.hpp>

int main(int argc, char** argv) {
  // Under mpirun, `ttt mc` distributes its trial blocks over the ranks; rank 0 alone prints.
  const ttt::sim::mpi::Session mpi(argc, argv);
  mpi.mute_others();
  CLI::App app{"ttt: test-time training of in-context learners (theory and simulation)", "ttt"};
  app.set_version_flag("--version", ttt::cli::version_string("ttt"));
  app.require_subcommand(1);
  app.option_defaults()->disable_flag_override();
  app.footer("Example: ttt theory --d 40 --n 40 --m 40 --init pretrained --json");
  ttt::cmd::Action action;
  ttt::cmd::register_theory(app, action);
  ttt::cmd::register_crossing(app, action);
  ttt::cmd::register_mc(app, action);
  ttt::cmd::register_pretrain(app, action);
  return ttt::cli::run(app, argc, argv, [&] { return action ? action() : 0; });
}
