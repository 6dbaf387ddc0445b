#ifndef PODFORM_TESTS_APPLY_FAKE_PROVIDER_H_
#define PODFORM_TESTS_APPLY_FAKE_PROVIDER_H_

// An in-memory Provider that records every call ("createVolume ml-models",
// "podTerminate p1", ...) in order, and fails or delays calls on request.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/core/provider.h"

namespace podform {

class FakeProvider : public Provider {
 public:
  // The next call whose log line starts with `prefix` fails with `status`
  // (once per FailNext). For creates, `commit_first` makes the fake do the
  // create and then return the error (a response lost after commit).
  void FailNext(const std::string& prefix, absl::Status status,
                bool commit_first = false) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_.push_back({prefix, status, commit_first});
  }

  std::vector<std::string> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  LiveState live() const {
    std::lock_guard<std::mutex> lock(mu_);
    LiveState state;
    for (const auto& [id, v] : volumes_) state.volumes.push_back(v);
    for (const auto& [id, p] : pods_) state.pods.push_back(p);
    for (const auto& [id, e] : endpoints_) state.endpoints.push_back(e);
    return state;
  }
  void AddEndpoint(const LiveEndpoint& e) {
    std::lock_guard<std::mutex> lock(mu_);
    endpoints_[e.id] = e;
  }
  void AddVolume(const LiveVolume& v) {
    std::lock_guard<std::mutex> lock(mu_);
    volumes_[v.id] = v;
  }
  void AddPod(const LivePod& p) {
    std::lock_guard<std::mutex> lock(mu_);
    pods_[p.id] = p;
  }

  absl::StatusOr<LiveState> Refresh() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back("refresh");
    }
    return live();
  }
  absl::StatusOr<LiveVolume> CreateVolume(const VolumeSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = absl::StrCat("createVolume ", spec.name);
    calls_.push_back(line);
    Failure f;
    if (Failing(line, &f) && !f.commit_first) return f.status;
    LiveVolume v{absl::StrCat("vol", ++next_id_), spec};
    volumes_[v.id] = v;
    if (!f.status.ok()) return f.status;
    return v;
  }
  absl::StatusOr<LiveVolume> UpdateVolume(const std::string& id,
                                          const VolumeSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line =
        absl::StrCat("updateVolume ", id, " ", spec.name, " ", spec.size_gb);
    calls_.push_back(line);
    Failure f;
    if (Failing(line, &f)) return f.status;
    auto it = volumes_.find(id);
    if (it == volumes_.end()) return absl::NotFoundError("no volume " + id);
    it->second.spec.name = spec.name;
    it->second.spec.size_gb = spec.size_gb;
    return it->second;
  }
  absl::Status DeleteVolume(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = absl::StrCat("deleteVolume ", id);
    calls_.push_back(line);
    Failure f;
    if (Failing(line, &f)) return f.status;
    if (volumes_.erase(id) == 0) return absl::NotFoundError("no volume " + id);
    return absl::OkStatus();
  }
  absl::StatusOr<LivePod> CreatePod(const PodSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = absl::StrCat("createPod ", spec.name);
    if (!spec.network_volume_id.empty()) {
      absl::StrAppend(&line, " on ", spec.network_volume_id);
    }
    calls_.push_back(line);
    sent_pods_.push_back(spec);
    Failure f;
    if (Failing(line, &f) && !f.commit_first) return f.status;
    LivePod p{absl::StrCat("pod", ++next_id_),
              spec,
              PodStatus::kRunning,
              0,
              PodPhase::kUnknown,
              ""};
    p.spec.data_center.clear();
    p.spec.cloud_type.clear();
    p.spec.running = true;
    pods_[p.id] = p;
    if (!f.status.ok()) return f.status;
    return p;
  }
  absl::StatusOr<LivePod> EditPod(const std::string& id,
                                  const PodSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(absl::StrCat("editPod ", id, " ", spec.image));
    sent_pods_.push_back(spec);
    auto it = pods_.find(id);
    if (it == pods_.end()) return absl::NotFoundError("no pod " + id);
    it->second.spec.image = spec.image;
    it->second.spec.env = spec.env;
    return it->second;
  }
  absl::Status TerminatePod(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = absl::StrCat("terminatePod ", id);
    calls_.push_back(line);
    Failure f;
    if (Failing(line, &f)) return f.status;
    if (pods_.erase(id) == 0) {
      return absl::NotFoundError("pod not found to terminate");
    }
    return absl::OkStatus();
  }
  absl::StatusOr<LivePod> StopPod(const std::string& id) override {
    return SetRunning(id, false, "stopPod ");
  }
  absl::StatusOr<LivePod> ResumePod(const std::string& id,
                                    int gpu_count) override {
    return SetRunning(id, true, "resumePod ", gpu_count);
  }

  // "createEndpoint NAME [on VOL,VOL in DC,DC]".
  absl::StatusOr<LiveEndpoint> CreateEndpoint(
      const EndpointSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = absl::StrCat("createEndpoint ", spec.name);
    AppendMounts(spec, &line);
    calls_.push_back(line);
    sent_endpoints_.push_back(spec);
    Failure f;
    if (Failing(line, &f) && !f.commit_first) return f.status;
    LiveEndpoint e{absl::StrCat("ep", ++next_id_), spec};
    endpoints_[e.id] = e;
    if (!f.status.ok()) return f.status;
    return e;
  }
  // "updateEndpoint ID IMAGE workers MIN..MAX [on VOL,VOL in DC,DC]".
  absl::StatusOr<LiveEndpoint> UpdateEndpoint(
      const std::string& id, const EndpointSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = absl::StrCat("updateEndpoint ", id, " ", spec.image,
                                    " workers ", spec.workers_min, "..",
                                    spec.workers_max);
    AppendMounts(spec, &line);
    calls_.push_back(line);
    sent_endpoints_.push_back(spec);
    Failure f;
    if (Failing(line, &f)) return f.status;
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) return absl::NotFoundError("no endpoint " + id);
    const std::string type = it->second.spec.type;
    it->second.spec = spec;
    it->second.spec.type = type;  // PATCH changes all but the type
    return it->second;
  }
  absl::Status DeleteEndpoint(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = absl::StrCat("deleteEndpoint ", id);
    calls_.push_back(line);
    Failure f;
    if (Failing(line, &f)) return f.status;
    if (endpoints_.erase(id) == 0) {
      return absl::NotFoundError("no endpoint " + id);
    }
    return absl::OkStatus();
  }

  // Every endpoint spec sent in a create or update, in order.
  std::vector<EndpointSpec> sent_endpoints() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_endpoints_;
  }

  // Every pod spec sent in a create or edit, in order.
  std::vector<PodSpec> sent_pods() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_pods_;
  }

 private:
  struct Failure {
    std::string prefix;
    absl::Status status;
    bool commit_first = false;
  };

  bool Failing(const std::string& line, Failure* out) {
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (line.rfind(it->prefix, 0) == 0) {
        *out = *it;
        failures_.erase(it);
        return true;
      }
    }
    return false;
  }

  static void AppendMounts(const EndpointSpec& spec, std::string* line) {
    if (spec.network_volume_ids.empty()) return;
    absl::StrAppend(line, " on ", absl::StrJoin(spec.network_volume_ids, ","),
                    " in ", absl::StrJoin(spec.data_centers, ","));
  }

  // A resume logs "resumePod ID gpuCount=N" and takes that count.
  absl::StatusOr<LivePod> SetRunning(const std::string& id, bool running,
                                     const char* verb, int gpu_count = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = absl::StrCat(verb, id);
    if (running) absl::StrAppend(&line, " gpuCount=", gpu_count);
    calls_.push_back(line);
    Failure f;
    bool failing = Failing(line, &f);
    if (failing && !f.commit_first) return f.status;
    auto it = pods_.find(id);
    if (it == pods_.end()) return absl::NotFoundError("no pod " + id);
    it->second.spec.running = running;
    if (running && gpu_count > 0) it->second.spec.gpu_count = gpu_count;
    it->second.status = running ? PodStatus::kRunning : PodStatus::kExited;
    if (failing) return f.status;  // done, but the answer is lost
    return it->second;
  }

  mutable std::mutex mu_;
  std::vector<std::string> calls_;
  std::vector<PodSpec> sent_pods_;
  std::vector<Failure> failures_;
  std::map<std::string, LiveVolume> volumes_;
  std::map<std::string, LivePod> pods_;
  std::map<std::string, LiveEndpoint> endpoints_;
  std::vector<EndpointSpec> sent_endpoints_;
  int next_id_ = 0;
};

}  // namespace podform

#endif  // PODFORM_TESTS_APPLY_FAKE_PROVIDER_H_
