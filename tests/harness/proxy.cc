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
  server_->Post("/graphql", [this](const httplib::Request& req,
                                   httplib::Response& res) {
    Exchange exchange;
    exchange.start = Now();
    json body = json::parse(req.body, nullptr, false);
    if (body.is_object()) {
      exchange.operation = body.value("operationName", std::string());
      if (body.contains("variables")) exchange.variables = body["variables"];
    }
    httplib::Client client("127.0.0.1", target_port_);
    client.set_read_timeout(60, 0);
    httplib::Headers headers;
    if (req.has_header("Authorization")) {
      headers.emplace("Authorization", req.get_header_value("Authorization"));
    }
    httplib::Result answer =
        client.Post("/graphql", headers, req.body, "application/json");
    if (!answer) {
      res.status = 502;
    } else {
      res.status = answer->status;
      res.set_content(answer->body, "application/json");
      if (answer->has_header("Retry-After")) {
        res.set_header("Retry-After", answer->get_header_value("Retry-After"));
      }
    }
    exchange.end = Now();
    exchange.status = res.status;
    std::lock_guard<std::mutex> lock(mu_);
    exchanges_.push_back(std::move(exchange));
  });
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

std::vector<Exchange> RecordingProxy::exchanges() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exchanges_;
}

int PortOf(const std::string& url) {
  size_t colon = url.rfind(':');
  return std::stoi(url.substr(colon + 1));
}

}  // namespace podform::harness
