#include "reconciler/client/curl_transport.h"

#include <curl/curl.h>

#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "reconciler/client/endpoint.h"

namespace podform {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Idle easy handles, reused so that their connections (and TLS sessions)
// stay alive between requests.
class HandlePool {
 public:
  static constexpr size_t kMaxIdle = 16;

  ~HandlePool() {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }

  // A handle reset to default options, or nullptr if libcurl cannot make one.
  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        curl_easy_reset(handle);
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < kMaxIdle) {
      idle_.push_back(handle);
      return;
    }
    curl_easy_cleanup(handle);
  }

 private:
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

struct Exchange {
  std::string body;
  HttpResponse headers;  // the header fields of HttpResponse
  size_t max_bytes = 0;
  bool too_large = false;
};

// Stores the value of header line `line` in `*field` when its name is
// `name` (case-insensitive, including the colon).
bool TakeHeader(const std::string& line, absl::string_view name,
                std::string* field) {
  if (!absl::StartsWithIgnoreCase(line, name)) return false;
  *field = std::string(absl::StripAsciiWhitespace(line.substr(name.size())));
  return true;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  size_t n = size * count;
  if (exchange->body.size() + n > exchange->max_bytes) {
    exchange->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  exchange->body.append(data, n);
  return n;
}

// Cuts the transfer off once the abandon flag (`user`, or none) is set.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abandon = static_cast<const std::atomic<bool>*>(user);
  return abandon != nullptr && abandon->load() ? 1 : 0;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  size_t n = size * count;
  std::string line(data, n);
  HttpResponse& h = exchange->headers;
  if (absl::StartsWith(line, "HTTP/")) {
    h = HttpResponse();  // a new response (e.g. after 100)
  } else {
    TakeHeader(line, "retry-after:", &h.retry_after) ||
        TakeHeader(line, "ratelimit-policy:", &h.rate_limit_policy) ||
        TakeHeader(line, "ratelimit:", &h.rate_limit) ||
        TakeHeader(line, "content-type:", &h.content_type);
  }
  return n;
}

class CurlTransport : public Transport {
 public:
  CurlTransport(std::string base_url, const std::string& api_key,
                CurlTransportOptions options)
      : base_url_(std::move(base_url)), options_(std::move(options)) {
    for (curl_slist** headers : {&headers_, &body_headers_}) {
      if (headers == &body_headers_) {
        *headers = curl_slist_append(*headers, "Content-Type: application/json");
      }
      *headers = curl_slist_append(
          *headers, "Accept: application/json, application/problem+json");
      *headers = curl_slist_append(*headers, "Expect:");
      if (!api_key.empty()) {
        std::string auth = absl::StrCat("Authorization: Bearer ", api_key);
        *headers = curl_slist_append(*headers, auth.c_str());
      }
    }
  }

  ~CurlTransport() override {
    curl_slist_free_all(headers_);
    curl_slist_free_all(body_headers_);
  }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    std::string url = base_url_;
    if (!url.empty() && url.back() == '/' &&
        absl::StartsWith(request.path, "/")) {
      url.pop_back();  // "http://host/v2/" + "/pods"
    }
    url += request.path;
    std::string display = absl::StrCat(request.method, " ", DisplayUrl(url));
    if (Abandoned()) return Abandon(display, "nothing was sent");
    CURL* handle = pool_.Acquire();
    if (handle == nullptr) {
      return absl::InternalError(
          absl::StrCat(display, ": cannot create a curl handle"));
    }
    absl::StatusOr<HttpResponse> result =
        Perform(handle, url, display, request);
    pool_.Release(handle);
    return result;
  }

 private:
  bool Abandoned() const {
    return options_.abandon != nullptr && options_.abandon->load();
  }
  static absl::Status Abandon(const std::string& display,
                              const char* what) {
    return absl::CancelledError(
        absl::StrCat(display, ": abandoned, its answer no longer needed; ",
                     what));
  }

  absl::StatusOr<HttpResponse> Perform(CURL* handle, const std::string& url,
                                       const std::string& display,
                                       const HttpRequest& request) {
    const std::string& body = request.body;
    const Replay replay = request.replay;
    Exchange exchange;
    exchange.max_bytes = options_.max_response_bytes;
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    if (request.method == "GET") {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    } else if (request.method != "POST") {
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    // libcurl re-sends a request, once and without telling, when a reused
    // connection closes before any answer. For a mutation that would run it
    // twice (a second volume, a second pod), so a mutation always gets a
    // connection of its own.
    curl_easy_setopt(handle, CURLOPT_FRESH_CONNECT,
                     replay == Replay::kForbidden ? 1L : 0L);
    // That connection is then closed rather than kept idle in the cache,
    // where no mutation would reuse it and where it would hold one of the
    // server's connection slots until the server's keep-alive timeout.
    curl_easy_setopt(handle, CURLOPT_FORBID_REUSE,
                     replay == Replay::kForbidden ? 1L : 0L);
    if (request.method == "POST" || !body.empty()) {
      // Never a null pointer: libcurl would then read the body from stdin.
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS,
                       body.empty() ? "" : body.data());
    }
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER,
                     body.empty() ? headers_ : body_headers_);
    curl_easy_setopt(handle, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(
        handle, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
    curl_easy_setopt(
        handle, CURLOPT_TIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS,
                     options_.abandon != nullptr ? 0L : 1L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA,
                     const_cast<std::atomic<bool>*>(options_.abandon.get()));

    CURLcode code = curl_easy_perform(handle);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
    if (code == CURLE_ABORTED_BY_CALLBACK && Abandoned()) {
      return Abandon(display, "the transfer was cut off");
    }
    if (code != CURLE_OK) {
      if (exchange.too_large) {
        return absl::InternalError(absl::StrCat(
            display, ": the response is larger than ",
            options_.max_response_bytes, " bytes"));
      }
      curl_off_t pretransfer = 0;
      long request_size = 0;
      curl_easy_getinfo(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
      curl_easy_getinfo(handle, CURLINFO_REQUEST_SIZE, &request_size);
      return CurlErrorToStatus(code, pretransfer > 0 || request_size > 0,
                               display, error);
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    HttpResponse response = std::move(exchange.headers);
    response.status = static_cast<int>(status);
    response.body = std::move(exchange.body);
    return response;
  }

  const std::string base_url_;
  const CurlTransportOptions options_;
  curl_slist* headers_ = nullptr;       // requests without a body
  curl_slist* body_headers_ = nullptr;  // requests with a JSON body
  HandlePool pool_;
};

}  // namespace

std::string DefaultUserAgent() { return "podform/" PODFORM_VERSION; }

absl::Status CurlErrorToStatus(int curl_code, bool request_sent,
                               const std::string& display_request,
                               const std::string& detail) {
  auto code = static_cast<CURLcode>(curl_code);
  std::string prefix =
      absl::StrCat(display_request, ": ", curl_easy_strerror(code));
  auto unsent = [&] {
    return absl::UnavailableError(absl::StrCat(prefix, "; nothing was sent"));
  };
  auto unknown = [&] {
    return absl::DeadlineExceededError(absl::StrCat(
        prefix,
        "; the request was sent but no complete answer arrived, so its "
        "outcome is unknown"));
  };
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
      return unsent();
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CERTPROBLEM:
      return absl::FailedPreconditionError(absl::StrCat(
          display_request, ": TLS certificate verification failed",
          detail.empty() ? "" : ": ", detail));
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return absl::InvalidArgumentError(prefix);
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return absl::InternalError(prefix);
    default:
      return request_sent ? unknown() : unsent();
  }
}

absl::StatusOr<std::unique_ptr<Transport>> MakeCurlTransport(
    const std::string& base_url, const std::string& api_key,
    const CurlTransportOptions& options) {
  if (absl::Status status = CheckEndpoint(base_url, "endpoint"); !status.ok()) {
    return status;
  }
  std::string key(absl::StripAsciiWhitespace(api_key));
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return absl::InvalidArgumentError(
          "RUNPOD_API_KEY contains whitespace or control characters");
    }
  }
  if (key.empty()) {
    absl::StatusOr<std::string> host = UrlHost(base_url);
    if (!host.ok() || !IsLoopbackHost(*host)) {
      return absl::FailedPreconditionError("RUNPOD_API_KEY is not set");
    }
  }
  GlobalInitOnce();
  return std::unique_ptr<Transport>(new CurlTransport(base_url, key, options));
}

}  // namespace podform
