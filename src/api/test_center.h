#pragma once
// For tests: the API application on a real CenterService, real Accounts (fast hashing) and a
// real Directory, all in files under one directory.

#include <memory>
#include <string>

#include "api/api_app.h"

namespace sb::api::testing {

struct TestCenter {
  // `ao` is used with fast hashing whatever it says.
  TestCenter(const std::string& dir, const Clock& clock, ApiOptions options = {},
             accounts::AccountsOptions ao = {}) {
    service::ServiceOptions so;
    so.data_dir = dir + "/data";
    auto s = service::CenterService::start(so, clock);
    if (!s.ok()) {
      status = s.status();
      return;
    }
    service = std::move(*s);
    ao.fast_hashing_for_tests = true;
    auto a = accounts::Accounts::open(dir + "/accounts.db", clock, ao);
    if (!a.ok()) {
      status = a.status();
      return;
    }
    accounts = std::move(*a);
    auto d = Directory::open(dir + "/directory.db");
    if (!d.ok()) {
      status = d.status();
      return;
    }
    directory = std::move(*d);
    app = std::make_unique<ApiApp>(*service, *accounts, *directory, clock, std::move(options));
    status = app->seed_directory();
  }
  ~TestCenter() { stop(); }

  // Stops the live hub, then the service (callers stop their HTTP server first).
  void stop() {
    if (app) app->stop();
    if (service) service->stop();
  }

  Status status;
  std::unique_ptr<service::CenterService> service;
  std::unique_ptr<accounts::Accounts> accounts;
  std::unique_ptr<Directory> directory;
  std::unique_ptr<ApiApp> app;
};

}  // namespace sb::api::testing
