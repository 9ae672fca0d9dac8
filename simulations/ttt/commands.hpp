// simulations/ttt/commands.hpp: the subcommands of the `ttt` program, one file each.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace ttt::cmd {

/// Each register_* adds a subcommand to `app` and sets `action` to its body when it is selected.
using Action = std::function<int()>;

void register_theory(CLI::App& app, Action& action);
void register_crossing(CLI::App& app, Action& action);
void register_mc(CLI::App& app, Action& action);
void register_pretrain(CLI::App& app, Action& action);

}  // namespace ttt::cmd
