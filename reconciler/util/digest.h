#ifndef PODFORM_RECONCILER_UTIL_DIGEST_H_
#define PODFORM_RECONCILER_UTIL_DIGEST_H_

#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace podform {

// The SHA-256 of `bytes` as 64 lowercase hex digits: the config's digest,
// a plan file's checksum, a live resource's fingerprint.
std::string Sha256Hex(std::string_view bytes);

// The same, of bytes given piece by piece: Sha256Hex of their
// concatenation, without making it.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::string_view bytes);
  // REQUIRES: called once, last.
  std::string HexDigest();

 private:
  ::evp_md_ctx_st* context_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_DIGEST_H_
