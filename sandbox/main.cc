// capi-sandbox: a local Kubernetes API server standing in for a CAPI
// management cluster, with simulated CAPI controllers.
#include <signal.h>

#include <atomic>
#include <cxxopts.hpp>
#include <iostream>
#include <thread>

#include "kinds.h"
#include "persist.h"
#include "server.h"
#include "simulate.h"
#include "store.h"
#include "workload.h"

namespace {

using namespace capigitops;
using namespace capigitops::sandbox;

struct Flags {
  std::string kubeconfig_out;
  std::string crds;
  std::string state_file;
  double time_scale = 1;
  bool simulate = true;
  ServerOptions server;
};

StatusOr<Flags> ParseFlags(int argc, char** argv) {
  cxxopts::Options opts("capi-sandbox",
                        "Local Kubernetes API server with simulated CAPI "
                        "controllers");
  opts.add_options()("kubeconfig-out", "write a kubeconfig here once serving",
                     cxxopts::value<std::string>())(
      "port", "port on 127.0.0.1 (0: any free port)",
      cxxopts::value<int>()->default_value("0"))(
      "crds", "directory of CRD files to serve (schemas enforced)",
      cxxopts::value<std::string>()->default_value(""))(
      "time-scale", "factor on simulated delays (0: instant)",
      cxxopts::value<double>()->default_value("1"))(
      "no-simulate", "do not simulate CAPI controllers")(
      "state-file", "save objects here on shutdown, reload at start",
      cxxopts::value<std::string>()->default_value(""))(
      "fault-rate", "fraction of requests answered 500/503/429 or dropped",
      cxxopts::value<double>()->default_value("0"))(
      "latency-ms", "delay every response by this many ms",
      cxxopts::value<int>()->default_value("0"))(
      "log-requests", "append one line per request to this file",
      cxxopts::value<std::string>()->default_value(""))(
      "insecure-http", "serve plain HTTP instead of HTTPS")("h,help",
                                                            "show help");
  Flags f;
  try {
    auto r = opts.parse(argc, argv);
    if (r.count("help")) {
      std::cout << opts.help() << "\n";
      std::exit(0);
    }
    if (!r.unmatched().empty()) {
      return Status::InvalidArgument("unexpected argument " + r.unmatched()[0]);
    }
    if (!r.count("kubeconfig-out")) {
      return Status::InvalidArgument("--kubeconfig-out is required");
    }
    f.kubeconfig_out = r["kubeconfig-out"].as<std::string>();
    f.crds = r["crds"].as<std::string>();
    f.state_file = r["state-file"].as<std::string>();
    f.time_scale = r["time-scale"].as<double>();
    f.simulate = !r.count("no-simulate");
    f.server.port = r["port"].as<int>();
    f.server.fault_rate = r["fault-rate"].as<double>();
    f.server.latency_ms = r["latency-ms"].as<int>();
    f.server.log_requests = r["log-requests"].as<std::string>();
    f.server.insecure_http = r.count("insecure-http") > 0;
  } catch (const cxxopts::exceptions::exception& e) {
    return Status::InvalidArgument(e.what());
  }
  if (f.time_scale < 0 || f.server.fault_rate < 0 || f.server.fault_rate > 1 ||
      f.server.latency_ms < 0 || f.server.port < 0 || f.server.port > 65535) {
    return Status::InvalidArgument(
        "--time-scale, --fault-rate (0..1), --latency-ms and --port must be "
        "in range");
  }
  return f;
}

int Run(const Flags& flags) {
  KindRegistry kinds;
  if (flags.crds.empty()) {
    AddBuiltinCapiKinds(&kinds);
  } else if (Status s = LoadCrdDirectory(flags.crds, &kinds); !s.ok()) {
    std::cerr << "capi-sandbox: " << s.message() << "\n";
    return 2;
  }
  Store store;
  if (!flags.state_file.empty()) {
    if (Status s = LoadState(flags.state_file, &store); !s.ok()) {
      std::cerr << "capi-sandbox: " << s.message() << "\n";
      return 2;
    }
  }
  for (const char* ns : {"default", "kube-system", "kube-public"}) {
    EnsureNamespace(&store, ns);
  }
  // Signals go to a dedicated thread; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  WorkloadRegistry workloads;
  ServerOptions server_options = flags.server;
  server_options.workloads = &workloads;
  auto server =
      SandboxServer::Start(server_options, ApiContext{&kinds, &store});
  if (!server.ok()) {
    std::cerr << "capi-sandbox: " << server.status().message() << "\n";
    return 1;
  }
  SandboxServer& srv = *server.value();
  CapiSimulator sim(&store, flags.time_scale);
  sim.EnableWorkloads(&workloads, srv.url(), srv.ca_pem());
  if (flags.simulate) sim.Start();
  if (Status s = WriteFileAtomically(
          flags.kubeconfig_out,
          KubeconfigText(srv.url(), srv.ca_pem(), srv.token(),
                         srv.client_cert_pem(), srv.client_key_pem()));
      !s.ok()) {
    std::cerr << "capi-sandbox: " << s.message() << "\n";
    return 1;
  }
  std::cerr << "capi-sandbox: serving " << srv.url() << ", kubeconfig "
            << flags.kubeconfig_out << "\n";
  std::atomic<bool> stopping{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    stopping = true;
    store.Shutdown();
    workloads.Shutdown();
    srv.Stop();
  });
  std::thread saver([&] {
    uint64_t saved_rv = store.CurrentRv();
    while (!stopping) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (flags.state_file.empty() || store.CurrentRv() == saved_rv) continue;
      saved_rv = store.CurrentRv();
      SaveState(store, flags.state_file);
    }
  });
  srv.Run();
  if (!stopping) {  // Run() ended on its own: wake the waiter and stop
    stopping = true;
    kill(getpid(), SIGTERM);
  }
  waiter.join();
  saver.join();
  sim.Stop();
  if (!flags.state_file.empty()) {
    if (Status s = SaveState(store, flags.state_file); !s.ok()) {
      std::cerr << "capi-sandbox: " << s.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  StatusOr<Flags> flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::cerr << "capi-sandbox: " << flags.status().message() << "\n"
              << "usage: capi-sandbox --kubeconfig-out FILE [--port N] "
                 "[--crds DIR] [--time-scale X] [--no-simulate] "
                 "[--state-file FILE] [--fault-rate P] [--latency-ms N] "
                 "[--log-requests FILE] [--insecure-http]\n";
    return 2;
  }
  return Run(flags.value());
}
