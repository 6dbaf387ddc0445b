#include "tests/harness/proxy.h"

#include <chrono>

#include "httplib.h"
#include "tests/harness/process.h"

namespace podform::harness {

using nlohmann::json;

RecordingProxy::RecordingProxy(int target_port)
    : target_port_(target_port), server_(std::make_unique<httplib::Server>()) {
  // More threads than podform ever has requests in flight, so that the
  // proxy never delays one.
  server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  auto forward = [this](const httplib::Request& req, httplib::Response& res) {
    Exchange exchange;
    exchange.start = Now();
    exchange.method = req.method;
    exchange.path = req.target;
    exchange.body = req.body;
    if (req.path == "/graphql") {
      json body = json::parse(req.body, nullptr, false);
      if (body.is_object()) {
        exchange.operation = body.value("operationName", std::string());
        if (body.contains("variables")) exchange.variables = body["variables"];
      }
    }
    httplib::Client client("127.0.0.1", target_port_);
    client.set_read_timeout(60, 0);
    httplib::Request out;
    out.method = req.method;
    out.path = req.target;
    out.body = req.body;
    for (const char* name : {"Authorization", "Content-Type", "User-Agent"}) {
      if (req.has_header(name)) {
        out.set_header(name, req.get_header_value(name));
      }
    }
    httplib::Result answer = client.send(out);
    if (!answer) {
      res.status = 502;
    } else {
      res.status = answer->status;
      res.body = answer->body;
      for (const char* name : {"Content-Type", "Retry-After", "RateLimit",
                               "RateLimit-Policy"}) {
        if (answer->has_header(name)) {
          res.set_header(name, answer->get_header_value(name));
        }
      }
    }
    exchange.end = Now();
    exchange.status = res.status;
    std::lock_guard<std::mutex> lock(mu_);
    exchanges_.push_back(std::move(exchange));
  };
  server_->Post("/graphql", forward);
  server_->Get("/v2/.*", forward);
  server_->Post("/v2/.*", forward);
  server_->Patch("/v2/.*", forward);
  server_->Delete("/v2/.*", forward);
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

RecordingProxy::~RecordingProxy() {
  server_->stop();
  thread_.join();
}

std::string RecordingProxy::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/graphql";
}

std::string RecordingProxy::rest_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v2";
}

std::vector<Exchange> RecordingProxy::exchanges() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exchanges_;
}

int PortOf(const std::string& url) {
  size_t colon = url.rfind(':');
  return std::stoi(url.substr(colon + 1));
}

}  // namespace podform::harness
