// The `switchboard` binary: the composition root.

#include <CLI/CLI.hpp>
#include <iostream>

#include "server/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: an omnichannel contact-center platform"};
  app.require_subcommand(1);
  int exit_code = 0;
  sb::cli::register_simulate_command(app, exit_code);
  sb::cli::register_erlang_command(app, exit_code);
  sb::cli::register_forecast_command(app, exit_code);
  sb::cli::register_staff_command(app, exit_code);
  sb::cli::register_schedule_command(app, exit_code);
  sb::cli::register_serve_command(app, exit_code);
  sb::cli::register_demo_command(app, exit_code);
  sb::cli::register_report_command(app, exit_code);
  sb::cli::register_import_command(app, exit_code);
  sb::cli::register_reports_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints usage; usage errors exit with 2 like malformed input.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
