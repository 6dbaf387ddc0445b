#include "tests/harness/sandbox.h"

#include <curl/curl.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace podform::harness {
namespace {

using nlohmann::json;

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

void InitCurlOnce() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

}  // namespace

std::unique_ptr<Sandbox> Sandbox::Start(const std::string& data_path,
                                        const std::vector<std::string>& flags,
                                        const std::string& api_key) {
  std::unique_ptr<Sandbox> s(new Sandbox());
  s->data_path_ = data_path;
  s->api_key_ = api_key;
  const std::string home =
      std::filesystem::path(data_path).parent_path().string();
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  std::vector<std::string> argv = {PODFORM_BINARY, "sandbox", "serve",
                                   "--data", data_path};
  if (std::find(flags.begin(), flags.end(), "--listen") == flags.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  argv.insert(argv.end(), flags.begin(), flags.end());
  s->process_ = Process::Spawn(argv, BaseEnv(home, api_key),
                               data_path + ".stdout", data_path + ".stderr");
  if (s->process_ == nullptr) return nullptr;
  // The first line, within 30 s (generous for sanitizer builds on a busy
  // machine).
  std::string line;
  WaitFor(
      [&] {
        line = s->process_->StdoutSoFar();
        return line.find('\n') != std::string::npos || s->process_->Exited();
      },
      30);
  line = line.substr(0, line.find('\n') + 1);
  const std::string prefix = "listening on http://127.0.0.1:";
  const std::string suffix = " (REST v2 at /v2, GraphQL at /graphql)\n";
  if (line.rfind(prefix, 0) != 0 ||
      line.size() <= prefix.size() + suffix.size() ||
      line.compare(line.size() - suffix.size(), suffix.size(), suffix) != 0) {
    ADD_FAILURE() << "sandbox serve printed \"" << s->process_->StdoutSoFar()
                  << "\" instead of its address; stderr:\n"
                  << ReadFileOrEmpty(data_path + ".stderr");
    return nullptr;
  }
  s->url_ = line.substr(std::string("listening on ").size());
  s->url_ = s->url_.substr(0, s->url_.find(' ')) + "/graphql";
  return s;
}

Sandbox::~Sandbox() = default;

int Sandbox::Stop() {
  if (process_ == nullptr) return -1;
  process_->Signal(SIGTERM);
  RunResult r = process_->Wait(20);
  process_.reset();
  if (r.exit_code != 0) {
    ADD_FAILURE() << "sandbox serve did not exit 0 on SIGTERM: " << r;
  }
  return r.exit_code;
}

json Sandbox::GraphQL(const std::string& document) const {
  InitCurlOnce();
  const std::string body = json{{"query", document}}.dump();
  // A sandbox started with fault flags answers some requests with 429, 502
  // or 503 without doing anything: those are sent again (at most 200 times,
  // 50 ms apart), as any RunPod client would.
  for (int attempt = 0;; ++attempt) {
    CURL* curl = curl_easy_init();
    std::string response;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers,
                                ("Authorization: Bearer " + api_key_).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    CURLcode rc = curl_easy_perform(curl);
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      ADD_FAILURE() << "GraphQL request to " << url_ << ": "
                    << curl_easy_strerror(rc);
      return nullptr;
    }
    if ((http == 429 || http == 502 || http == 503) && attempt < 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    json parsed = json::parse(response, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || http != 200) {
      ADD_FAILURE() << "GraphQL HTTP " << http << ": " << response;
      return nullptr;
    }
    return parsed;
  }
}

json Sandbox::Live() const {
  json r = GraphQL(
      "query { myself { networkVolumes { id name size dataCenterId } "
      "pods { id name imageName gpuCount desiredStatus networkVolumeId "
      "volumeMountPath containerDiskInGb env ports "
      "machine { gpuDisplayName } } } }");
  if (r.is_null() || r.contains("errors") || !r.contains("data")) {
    ADD_FAILURE() << "live state query failed: " << r.dump();
    return json{{"networkVolumes", json::array()}, {"pods", json::array()}};
  }
  return r["data"]["myself"];
}

}  // namespace podform::harness
