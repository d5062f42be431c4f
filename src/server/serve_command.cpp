// `switchboard serve`: the live server. Opens (or creates) the data directory — the event log
// (events.db), the service's ids (service.db), accounts (accounts.db) and the directory
// (directory.db) — recovers the engine, and serves the API, the WebSocket channels and the web
// app until SIGINT/SIGTERM, then drains and snapshots.
//
// Settings come from, in increasing precedence: defaults, a TOML file (--config), environment
// variables (SWITCHBOARD_LISTEN, SWITCHBOARD_DATA_DIR, SWITCHBOARD_WEB_ROOT,
// SWITCHBOARD_HTTP_THREADS), and command-line flags.

#include <toml++/toml.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "accounts/accounts.h"
#include "api/api_app.h"
#include "api/directory.h"
#include "api/http_server.h"
#include "demo/demo_center.h"
#include "reports/time_zone.h"
#include "runtime/system_clock.h"  // lint:allow (composition root)
#include "server/commands.h"
#include "service/center_service.h"
#include "voice/voice_gateway.h"

namespace sb::cli {
namespace {

struct ServeParams {
  std::string config_file;
  std::string data_dir;
  std::string listen;
  std::string web_root;
  int http_threads = 0;
  std::string tls_cert;
  std::string tls_key;
  bool demo = false;
  double demo_speed = 10;
  std::string demo_password;
  std::string sip_listen;
  std::string sip_dids;
  std::string recordings_dir;
  std::string prompts_dir;
  int sip_session_refresh_s = -1;
  int sip_udp_receive_buffer_kb = -1;
  std::string alert_webhook;
  int adherence_grace_s = -1;
  std::string time_zone;
};

struct ServeSettings {
  std::string data_dir = "switchboard-data";
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string web_root;
  int http_threads = 2;
  std::uint64_t snapshot_every = 10'000;
  // Voice (docs/voice.md): off unless sip_listen is set.
  std::string sip_listen;         // HOST:PORT for SIP on UDP and TCP, e.g. 127.0.0.1:5060
  std::string sip_dids;           // "DID=queue,DID=flow:ID,..."; "*=..." takes any other number
  std::string recordings_dir;     // default <data_dir>/recordings; "none": no recording
  std::string prompts_dir;        // default: the prompts built beside the binary
  int sip_session_refresh_s = 0;  // re-INVITE answered legs this often; 0: off
  // Receive buffer of the SIP UDP socket (KiB); 0: the kernel default. Bursts of requests
  // overflowed the default 208 KB at 200 calls per second (docs/performance.md).
  int sip_udp_receive_buffer_kb = 4096;

  std::string tls_cert;  // PEM; with tls_key the server speaks HTTPS/WSS only
  std::string tls_key;
  std::string alert_webhook;      // URL that receives fired/cleared alerts (JSON POST)
  int adherence_grace_s = 60;     // schedule adherence grace threshold (docs/metrics.md)
  std::string time_zone = "UTC";  // the center's zone: planning grids, adherence days
};

constexpr int kMaxSipUdpReceiveBufferKb = 1 << 20;  // 1 GiB

Status parse_listen(const std::string& listen, ServeSettings& s) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    return Status::invalid_argument("--listen must be HOST:PORT, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  char* end = nullptr;
  const long p = std::strtol(port.c_str(), &end, 10);
  if (*end != '\0' || p < 0 || p > 65535)
    return Status::invalid_argument("--listen port must be 0..65535, got '" + port + "'");
  s.host = host;
  s.port = static_cast<std::uint16_t>(p);
  return Status::ok_status();
}

Status load_toml(const std::string& path, ServeSettings& s) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    return Status::invalid_argument(path + ":" + std::to_string(src.begin.line) + ":" +
                                    std::to_string(src.begin.column) + ": " +
                                    std::string(e.description()));
  }
  for (auto&& [key, value] : t) {
    const std::string k(key.str());
    if (k == "data_dir" && value.is_string()) {
      s.data_dir = value.as_string()->get();
    } else if (k == "listen" && value.is_string()) {
      Status st = parse_listen(value.as_string()->get(), s);
      if (!st.ok()) return Status::invalid_argument(path + ": listen: " + st.message());
    } else if (k == "web_root" && value.is_string()) {
      s.web_root = value.as_string()->get();
    } else if (k == "tls_cert" && value.is_string()) {
      s.tls_cert = value.as_string()->get();
    } else if (k == "tls_key" && value.is_string()) {
      s.tls_key = value.as_string()->get();
    } else if (k == "http_threads" && value.is_integer()) {
      s.http_threads = static_cast<int>(value.as_integer()->get());
    } else if (k == "time_zone" && value.is_string()) {
      s.time_zone = value.as_string()->get();
    } else if (k == "alert_webhook" && value.is_string()) {
      s.alert_webhook = value.as_string()->get();
    } else if (k == "adherence_grace_s" && value.is_integer() && value.as_integer()->get() >= 0 &&
               value.as_integer()->get() <= 3600) {
      s.adherence_grace_s = static_cast<int>(value.as_integer()->get());
    } else if ((k == "sip_listen" || k == "sip_dids" || k == "recordings_dir" ||
                k == "prompts_dir") &&
               value.is_string()) {
      std::string& field = k == "sip_listen"       ? s.sip_listen
                           : k == "sip_dids"       ? s.sip_dids
                           : k == "recordings_dir" ? s.recordings_dir
                                                   : s.prompts_dir;
      field = value.as_string()->get();
    } else if (k == "sip_session_refresh_s" && value.is_integer() &&
               value.as_integer()->get() >= 0 && value.as_integer()->get() <= 86400) {
      s.sip_session_refresh_s = static_cast<int>(value.as_integer()->get());
    } else if (k == "sip_udp_receive_buffer_kb" && value.is_integer() &&
               value.as_integer()->get() >= 0 &&
               value.as_integer()->get() <= kMaxSipUdpReceiveBufferKb) {
      s.sip_udp_receive_buffer_kb = static_cast<int>(value.as_integer()->get());
    } else if (k == "snapshot_every" && value.is_integer() && value.as_integer()->get() > 0) {
      s.snapshot_every = static_cast<std::uint64_t>(value.as_integer()->get());
    } else {
      return Status::invalid_argument(path + ": unknown or mistyped setting '" + k +
                                      "' (expected data_dir, listen, web_root, http_threads, "
                                      "sip_listen, sip_dids, recordings_dir, prompts_dir, "
                                      "sip_session_refresh_s 0..86400, "
                                      "sip_udp_receive_buffer_kb 0..1048576, "
                                      "snapshot_every, tls_cert, tls_key, alert_webhook, "
                                      "adherence_grace_s 0..3600, time_zone)");
    }
  }
  return Status::ok_status();
}

// The built web app: an explicit setting, else web/dist beside the source tree of this binary
// (build/src/server/switchboard → web/dist), else ./web/dist.
std::string find_web_root(const std::string& configured, const char* argv0) {
  namespace fs = std::filesystem;
  if (!configured.empty()) return configured;
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  (void)argv0;
  if (!ec) {
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      if (fs::exists(p / "web" / "dist" / "index.html", ec)) return (p / "web" / "dist").string();
    }
  }
  if (fs::exists("web/dist/index.html", ec)) return fs::absolute("web/dist", ec).string();
  return "";
}

// "1000=1,2000=flow:main-ivr,*=3" -> DID -> queue id or flow id (and the default for any other
// number).
Status parse_dids(const std::string& text, voice::VoiceOptions& v) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::invalid_argument("sip_dids: '" + item +
                                      "' is not DID=QUEUE_ID or DID=flow:ID");
    const std::string did = item.substr(0, eq);
    const std::string target = item.substr(eq + 1);
    if (target.rfind("flow:", 0) == 0) {
      const std::string flow = target.substr(5);
      if (flow.empty()) return Status::invalid_argument("sip_dids: '" + item + "' names no flow");
      if (did == "*") {
        v.default_flow = flow;
      } else {
        v.did_flows[did] = flow;
      }
      continue;
    }
    char* stop = nullptr;
    const long q = std::strtol(target.c_str(), &stop, 10);
    if (target.empty() || q < 0 || stop == nullptr || *stop != '\0')
      return Status::invalid_argument("sip_dids: '" + item +
                                      "' is not DID=QUEUE_ID or DID=flow:ID");
    if (did == "*") {
      v.default_queue = static_cast<QueueId>(q);
    } else {
      v.did_queues[did] = static_cast<QueueId>(q);
    }
  }
  return Status::ok_status();
}

// The prompts generated at build time: build/prompts beside build/src/server/switchboard.
std::string find_prompts_dir(const std::string& configured) {
  namespace fs = std::filesystem;
  if (!configured.empty()) return configured;
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (!ec)
    for (fs::path d = exe.parent_path(); !d.empty() && d != d.root_path(); d = d.parent_path())
      if (fs::exists(d / "prompts" / "welcome.wav", ec)) return (d / "prompts").string();
  return "";
}

Result<voice::VoiceOptions> voice_options(const ServeSettings& s) {
  voice::VoiceOptions v;
  ServeSettings addr;
  Status st = parse_listen(s.sip_listen, addr);
  if (!st.ok()) return Status::invalid_argument("sip_listen: " + st.message());
  v.sip.host = addr.host;
  v.sip.port = addr.port;
  v.sip.session_refresh_ms = static_cast<std::uint32_t>(s.sip_session_refresh_s) * 1000;
  v.sip.udp_receive_buffer = static_cast<std::uint32_t>(s.sip_udp_receive_buffer_kb) * 1024;
  SB_RETURN_IF_ERROR(parse_dids(s.sip_dids, v));
  if (s.recordings_dir != "none")
    v.recordings_dir = s.recordings_dir.empty() ? s.data_dir + "/recordings" : s.recordings_dir;
  v.prompts_dir = find_prompts_dir(s.prompts_dir);
  if (v.prompts_dir.empty())
    return Status::not_found(
        "no prompts found (build the sb_prompts target or set prompts_dir / --prompts-dir)");
  return v;
}

api::VoiceHooks voice_hooks(voice::VoiceGateway& gw) {
  api::VoiceHooks h;
  h.recordings = [&gw](ContactId c) -> Result<api::json> {
    auto list = gw.recordings(c);
    if (!list.ok()) return list.status();
    api::json items = api::json::array();
    for (const auto& r : *list)
      items.push_back({{"name", r.name},
                       {"bytes", r.bytes},
                       {"duration_s", static_cast<double>(r.duration_ms) / 1000.0},
                       {"active", r.active},
                       {"paused", r.paused}});
    return items;
  };
  h.recording_path = [&gw](ContactId c, const std::string& name) {
    return gw.recording_path(c, name);
  };
  h.set_recording_paused = [&gw](ContactId c, bool paused) {
    return gw.set_recording_paused(c, paused);
  };
  h.start_monitor = [&gw](ContactId c, const std::string& user) {
    return gw.start_monitor(c, user);
  };
  h.stop_monitor = [&gw](ContactId c, const std::string& user) { return gw.stop_monitor(c, user); };
  h.stats = [&gw] {
    const voice::VoiceStats v = gw.stats();
    return api::json{{"calls", v.calls},
                     {"active_calls", v.active_calls},
                     {"refused", v.refused},
                     {"abandoned", v.abandoned},
                     {"connected", v.connected},
                     {"agent_phones", v.agent_phones},
                     {"ivr_calls", v.ivr_calls},
                     {"self_served", v.self_served},
                     {"callbacks", v.callbacks},
                     {"callbacks_dialed", v.callbacks_dialed},
                     {"surveys", v.surveys},
                     {"announcements", v.announcements},
                     {"sip_port", gw.sip_port()},
                     {"calls_in", v.sip.calls_in},
                     {"calls_out", v.sip.calls_out},
                     {"legs", v.sip.legs},
                     {"bridges", v.sip.bridges},
                     {"rtp_received", v.sip.rtp_received},
                     {"rtp_sent", v.sip.rtp_sent},
                     {"rtp_relayed", v.sip.rtp_relayed},
                     {"dtmf_digits", v.sip.dtmf_digits},
                     {"bad_requests", v.sip.bad_requests},
                     {"registrations", v.sip.registrations},
                     {"recordings_open", v.sip.recordings},
                     {"monitors", v.sip.monitors},
                     {"monitors_started", v.monitors_started},
                     {"monitor_rtp_sent", v.sip.monitor_sent},
                     {"monitor_rtp_dropped", v.sip.monitor_dropped},
                     {"session_refreshes", v.sip.refreshes},
                     {"sip_udp_receive_buffer", gw.sip_udp_receive_buffer().effective}};
  };
  return h;
}

int run_serve(const ServeParams& p) {
  ServeSettings s;
  if (!p.config_file.empty()) {
    Status st = load_toml(p.config_file, s);
    if (!st.ok()) {
      std::cerr << "switchboard serve: " << st.message() << "\n";
      return 2;
    }
  }
  if (const char* v = std::getenv("SWITCHBOARD_DATA_DIR")) s.data_dir = v;
  if (const char* v = std::getenv("SWITCHBOARD_WEB_ROOT")) s.web_root = v;
  if (const char* v = std::getenv("SWITCHBOARD_HTTP_THREADS")) s.http_threads = std::atoi(v);
  if (const char* v = std::getenv("SWITCHBOARD_TLS_CERT")) s.tls_cert = v;
  if (const char* v = std::getenv("SWITCHBOARD_TLS_KEY")) s.tls_key = v;
  if (const char* v = std::getenv("SWITCHBOARD_SIP_LISTEN")) s.sip_listen = v;
  if (const char* v = std::getenv("SWITCHBOARD_SIP_DIDS")) s.sip_dids = v;
  if (const char* v = std::getenv("SWITCHBOARD_RECORDINGS_DIR")) s.recordings_dir = v;
  if (const char* v = std::getenv("SWITCHBOARD_PROMPTS_DIR")) s.prompts_dir = v;
  if (const char* v = std::getenv("SWITCHBOARD_ALERT_WEBHOOK")) s.alert_webhook = v;
  if (const char* v = std::getenv("SWITCHBOARD_TIME_ZONE")) s.time_zone = v;
  if (const char* v = std::getenv("SWITCHBOARD_SIP_SESSION_REFRESH_S")) {
    char* end = nullptr;
    const long r = std::strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || r < 0 || r > 86400) {
      std::cerr
          << "switchboard serve: SWITCHBOARD_SIP_SESSION_REFRESH_S must be 0..86400 seconds\n";
      return 2;
    }
    s.sip_session_refresh_s = static_cast<int>(r);
  }
  if (const char* v = std::getenv("SWITCHBOARD_SIP_UDP_RECEIVE_BUFFER_KB")) {
    char* end = nullptr;
    const long kb = std::strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || kb < 0 || kb > kMaxSipUdpReceiveBufferKb) {
      std::cerr << "switchboard serve: SWITCHBOARD_SIP_UDP_RECEIVE_BUFFER_KB must be 0..1048576\n";
      return 2;
    }
    s.sip_udp_receive_buffer_kb = static_cast<int>(kb);
  }
  if (const char* v = std::getenv("SWITCHBOARD_ADHERENCE_GRACE_S")) {
    char* end = nullptr;
    const long g = std::strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || g < 0 || g > 3600) {
      std::cerr << "switchboard serve: SWITCHBOARD_ADHERENCE_GRACE_S must be 0..3600 seconds\n";
      return 2;
    }
    s.adherence_grace_s = static_cast<int>(g);
  }
  if (const char* v = std::getenv("SWITCHBOARD_LISTEN")) {
    Status st = parse_listen(v, s);
    if (!st.ok()) {
      std::cerr << "switchboard serve: SWITCHBOARD_LISTEN: " << st.message() << "\n";
      return 2;
    }
  }
  if (!p.data_dir.empty()) s.data_dir = p.data_dir;
  if (!p.web_root.empty()) s.web_root = p.web_root;
  if (p.http_threads > 0) s.http_threads = p.http_threads;
  if (!p.tls_cert.empty()) s.tls_cert = p.tls_cert;
  if (!p.tls_key.empty()) s.tls_key = p.tls_key;
  if (!p.sip_listen.empty()) s.sip_listen = p.sip_listen;
  if (!p.sip_dids.empty()) s.sip_dids = p.sip_dids;
  if (!p.recordings_dir.empty()) s.recordings_dir = p.recordings_dir;
  if (!p.prompts_dir.empty()) s.prompts_dir = p.prompts_dir;
  if (p.sip_session_refresh_s >= 0) s.sip_session_refresh_s = p.sip_session_refresh_s;
  if (p.sip_udp_receive_buffer_kb >= 0) s.sip_udp_receive_buffer_kb = p.sip_udp_receive_buffer_kb;
  if (!p.alert_webhook.empty()) s.alert_webhook = p.alert_webhook;
  if (p.adherence_grace_s >= 0) s.adherence_grace_s = p.adherence_grace_s;
  if (!p.time_zone.empty()) s.time_zone = p.time_zone;
  auto center_zone = reports::TimeZone::parse(s.time_zone);
  if (!center_zone.ok()) {
    std::cerr << "switchboard serve: time_zone: " << center_zone.status().message() << "\n";
    return 2;
  }
  const bool tls = !s.tls_cert.empty() || !s.tls_key.empty();
  if (!p.listen.empty()) {
    Status st = parse_listen(p.listen, s);
    if (!st.ok()) {
      std::cerr << "switchboard serve: " << st.message() << "\n";
      return 2;
    }
  }
  s.web_root = find_web_root(s.web_root, nullptr);

  // Signals are taken by this thread alone (sigwait below), so block them before any thread
  // starts: every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::error_code ec;
  std::filesystem::create_directories(s.data_dir, ec);
  if (ec) {
    std::cerr << "switchboard serve: cannot create data directory " << s.data_dir << ": "
              << ec.message() << "\n";
    return 1;
  }
  runtime::SystemClock clock;  // lint:allow (composition root: the live clock)

  service::ServiceOptions so;
  so.data_dir = s.data_dir;
  so.snapshot_every = s.snapshot_every;
  auto service = service::CenterService::start(so, clock);
  if (!service.ok()) {
    std::cerr << "switchboard serve: " << service.status().message() << "\n";
    return 1;
  }
  auto accounts = accounts::Accounts::open(s.data_dir + "/accounts.db", clock);
  if (!accounts.ok()) {
    std::cerr << "switchboard serve: " << accounts.status().message() << "\n";
    return 1;
  }
  auto directory = api::Directory::open(s.data_dir + "/directory.db");
  if (!directory.ok()) {
    std::cerr << "switchboard serve: " << directory.status().message() << "\n";
    return 1;
  }

  // First start: an admin, with the password from the environment or a generated one printed
  // once (it is stored only as an Argon2id hash).
  std::string admin_password;
  if (!(*accounts)->has_users()) {
    const char* env = std::getenv("SWITCHBOARD_ADMIN_PASSWORD");
    admin_password = env != nullptr && *env != '\0' ? env : accounts::Accounts::generate_password();
    accounts::NewUser admin;
    admin.username = "admin";
    admin.password = admin_password;
    admin.display_name = "Administrator";
    admin.role = accounts::Role::kAdmin;
    auto created = (*accounts)->create_user(admin);
    if (!created.ok()) {
      std::cerr << "switchboard serve: cannot create the admin user: " << created.status().message()
                << "\n";
      return 1;
    }
    if (env == nullptr || *env == '\0') {
      std::cout << "First start: created user 'admin' with password " << admin_password
                << "\n  (shown once; change it in the web app)\n";
    } else {
      std::cout << "First start: created user 'admin' with the password from "
                   "SWITCHBOARD_ADMIN_PASSWORD\n";
    }
  } else if (const char* env = std::getenv("SWITCHBOARD_ADMIN_PASSWORD")) {
    admin_password = env;
  }

  api::ApiOptions ao;
  ao.web_root = s.web_root;
  ao.secure_cookies = tls;
  ao.flows_dir = s.data_dir + "/flows";
  ao.alerts.db_path = s.data_dir + "/alerts.db";
  ao.wfm_db_path = s.data_dir + "/wfm.db";
  ao.alerts.webhook_url = s.alert_webhook;
  ao.adherence.grace = s.adherence_grace_s * kMillisPerSecond;
  ao.time_zone = *center_zone;
  api::ApiApp app(**service, **accounts, **directory, clock, ao);
  if (!app.alerts_status().ok()) {
    std::cerr << "switchboard serve: alerts: " << app.alerts_status().message() << "\n";
    return 1;
  }
  if (!app.wfm_status().ok()) {
    std::cerr << "switchboard serve: workforce planning: " << app.wfm_status().message() << "\n";
    return 1;
  }
  if (Status st = app.seed_directory(); !st.ok()) {
    std::cerr << "switchboard serve: " << st.message() << "\n";
    return 1;
  }
  std::unique_ptr<voice::VoiceGateway> voice;
  if (!s.sip_listen.empty()) {
    auto opts = voice_options(s);
    if (!opts.ok()) {
      std::cerr << "switchboard serve: " << opts.status().message() << "\n";
      return 2;
    }
    // IVR flows: the API's flow store (a version published there is used by the next call) and
    // the directory, where the flow's attributes become what the agent sees on the contact.
    opts->clock = &clock;
    opts->flow_hooks.flow = [&app](const std::string& id) { return app.flow_store().get(id); };
    opts->flow_hooks.set_attributes = [dir = directory->get()](ContactId c,
                                                               const flows::Attributes& a) {
      api::json j = api::json::object();
      for (const auto& [k, v] : a) j[k] = v;
      return dir->set_contact_attributes(c, j);
    };
    auto gw = voice::VoiceGateway::start(std::move(*opts), **service, **accounts);
    if (!gw.ok()) {
      std::cerr << "switchboard serve: voice: " << gw.status().message() << "\n";
      return 1;
    }
    voice = std::move(*gw);
    app.set_voice(voice_hooks(*voice));
    std::cout << "SIP listening on " << s.sip_listen.substr(0, s.sip_listen.rfind(':')) << ":"
              << voice->sip_port() << " (udp, tcp)" << std::endl;
    std::cout << "SIP UDP receive buffer: " << sip::describe(voice->sip_udp_receive_buffer())
              << std::endl;
  }
  api::HttpServerOptions ho;
  ho.host = s.host;
  ho.port = s.port;
  ho.threads = s.http_threads;
  ho.tls_cert_file = s.tls_cert;
  ho.tls_key_file = s.tls_key;
  api::HttpServer http(ho, app);
  app.set_http_stats([&http] { return http.stats(); });
  if (Status st = http.start(); !st.ok()) {
    std::cerr << "switchboard serve: " << st.message() << "\n";
    return 1;
  }
  const std::string url = std::string(tls ? "https://" : "http://") +
                          (s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host) +
                          ":" + std::to_string(http.port());
  std::cout << "Switchboard listening on " << url << "  (data: " << s.data_dir
            << ", web: " << (s.web_root.empty() ? "not built" : s.web_root) << ")" << std::endl;

  std::unique_ptr<demo::DemoCenter> demo;
  if (p.demo) {
    if (tls) {
      std::cerr << "switchboard serve: --demo talks plain HTTP to the server; it is not started "
                   "when TLS is on\n";
    } else if (admin_password.empty()) {
      std::cerr << "switchboard serve: --demo on an existing data directory needs "
                   "SWITCHBOARD_ADMIN_PASSWORD\n";
    } else {
      demo::DemoOptions d;
      d.url = url;
      d.admin_password = admin_password;
      d.speed = p.demo_speed;
      d.seed = runtime::entropy_seed();
      d.demo_password = p.demo_password;
      d.log = [](const std::string& line) { std::cout << line << std::endl; };
      demo = std::make_unique<demo::DemoCenter>(d, clock);
      if (Status st = demo->start(); !st.ok()) {
        std::cerr << "switchboard serve: the demo could not start: " << st.message() << "\n";
        demo.reset();
      } else {
        std::cout << "\nDemo running. Open " << url << " and log in as admin (password above), "
                  << "as supervisor, or as agent17..agent20 (not simulated) to take contacts "
                     "by hand; demo password: "
                  << demo->password() << "\n"
                  << std::endl;
      }
    }
  }

  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "Switchboard: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
            << " received, draining..." << std::endl;
  if (demo) demo->stop();
  if (voice) voice->stop();
  http.stop();
  app.stop();
  (*service)->stop();
  std::cout << "Switchboard: stopped cleanly" << std::endl;
  return 0;
}

}  // namespace

void register_demo_command(CLI::App& root, int& exit_code) {
  auto d = std::make_shared<demo::DemoOptions>();
  CLI::App* cmd = root.add_subcommand(
      "demo",
      "Seed a demo center on a running server and drive it with simulated customers and agents");
  cmd->add_option("--url", d->url, "Server URL (default http://127.0.0.1:8080)");
  cmd->add_option("--admin-user", d->admin_user, "Admin username (default admin)");
  cmd->add_option("--admin-password", d->admin_password, "Admin password")
      ->envname("SWITCHBOARD_ADMIN_PASSWORD");
  cmd->add_option("--speed", d->speed, "Time acceleration (default 10)");
  cmd->add_option("--duration-s", d->duration_s, "Stop after this many seconds (default: never)");
  cmd->add_option("--simulated-agents", d->simulated_agents,
                  "Agents driven by the demo (default 16)");
  cmd->add_option("--demo-password", d->demo_password, "Password of the demo users");
  cmd->add_option("--seed", d->seed, "Random seed (default: fresh)");
  cmd->callback([d, cmd, &exit_code] {
    if (cmd->count("--seed") == 0) d->seed = runtime::entropy_seed();
    exit_code = demo::run_demo_command(*d);
  });
}

void register_serve_command(CLI::App& root, int& exit_code) {
  auto params = std::make_shared<ServeParams>();
  CLI::App* cmd = root.add_subcommand("serve", "Run the live server (API, WebSocket, web app)");
  cmd->add_option("--config", params->config_file, "TOML settings file")->check(CLI::ExistingFile);
  cmd->add_option("--data-dir", params->data_dir, "Data directory (created if missing)");
  cmd->add_option("--listen", params->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_option("--web-root", params->web_root, "Directory of the built web app (web/dist)");
  cmd->add_option("--http-threads", params->http_threads, "HTTP I/O threads (default 2)");
  cmd->add_option("--tls-cert", params->tls_cert, "PEM certificate chain: serve HTTPS/WSS only");
  cmd->add_option("--tls-key", params->tls_key, "PEM private key for --tls-cert");
  cmd->add_option("--alert-webhook", params->alert_webhook,
                  "URL that receives fired and cleared alerts as JSON POSTs (with retries)");
  cmd->add_option("--adherence-grace-s", params->adherence_grace_s,
                  "Schedule adherence grace threshold in seconds (default 60)")
      ->check(CLI::Range(0, 3600));
  cmd->add_option("--time-zone", params->time_zone,
                  "The center's time zone (IANA name, +HH:MM or UTC): planning grids and "
                  "adherence days (default UTC)");
  cmd->add_option("--sip-listen", params->sip_listen,
                  "HOST:PORT for SIP (UDP and TCP); voice is off without it");
  cmd->add_option("--sip-dids", params->sip_dids,
                  "Dialed numbers to queues: DID=QUEUE_ID,... (*=QUEUE_ID for any other)");
  cmd->add_option("--recordings-dir", params->recordings_dir,
                  "Call recordings (default DATA_DIR/recordings; none: do not record)");
  cmd->add_option("--prompts-dir", params->prompts_dir,
                  "8 kHz mono WAV prompts (default: the set built with the binary)");
  cmd->add_option("--sip-session-refresh-s", params->sip_session_refresh_s,
                  "Re-INVITE answered calls this often; a far end that lost the call ends it "
                  "(default 0: off)")
      ->check(CLI::Range(0, 86400));
  cmd->add_option("--sip-udp-receive-buffer-kb", params->sip_udp_receive_buffer_kb,
                  "Receive buffer of the SIP UDP socket in KiB, so bursts of requests are not "
                  "dropped while the SIP thread is busy (default 4096; 0: the kernel default; "
                  "beyond net.core.rmem_max only with CAP_NET_ADMIN)")
      ->check(CLI::Range(0, kMaxSipUdpReceiveBufferKb));
  cmd->add_flag("--demo", params->demo,
                "Seed a demo center and run simulated customers and agents against this server");
  cmd->add_option("--demo-speed", params->demo_speed, "Demo time acceleration (default 10)");
  cmd->add_option("--demo-password", params->demo_password,
                  "Password of the demo users (default: generated and printed)");
  cmd->callback([params, &exit_code] { exit_code = run_serve(*params); });
}

}  // namespace sb::cli
