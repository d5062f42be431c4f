#pragma once
// Subcommands of the `switchboard` binary. Each registers itself on the root CLI11 app; its
// callback stores the process exit code in `exit_code`.

#include <CLI/CLI.hpp>

namespace sb::cli {

void register_simulate_command(CLI::App& root, int& exit_code);
void register_erlang_command(CLI::App& root, int& exit_code);
void register_serve_command(CLI::App& root, int& exit_code);
void register_demo_command(CLI::App& root, int& exit_code);
void register_forecast_command(CLI::App& root, int& exit_code);
void register_staff_command(CLI::App& root, int& exit_code);
void register_schedule_command(CLI::App& root, int& exit_code);
void register_report_command(CLI::App& root, int& exit_code);
void register_import_command(CLI::App& root, int& exit_code);
void register_reports_command(CLI::App& root, int& exit_code);

}  // namespace sb::cli
