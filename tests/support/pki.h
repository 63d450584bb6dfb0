// A test certificate authority made in the test, with OpenSSL: a CA and
// server certificates with chosen names and validity, written as PEM files.
#pragma once
#include <string>
#include <vector>

namespace tp::test {

struct CertFiles {
  std::string cert, key;
};

class TestPki {
 public:
  explicit TestPki(std::string dir);
  ~TestPki();
  const std::string& ca_file() const { return ca_cert_; }
  // A server certificate signed by this CA. Offsets are from now, in seconds.
  CertFiles server_cert(const std::string& name, const std::vector<std::string>& dns, const std::vector<std::string>& ips,
                        long not_before = -3600, long not_after = 30L * 86400);
  // A self-signed certificate (no CA).
  CertFiles self_signed(const std::string& name, const std::vector<std::string>& ips);
  // "sha256//BASE64" of a certificate's public key, as libcurl pins it.
  static std::string pin_of(const std::string& cert_file);

 private:
  CertFiles issue(const std::string& name, bool signed_by_ca, const std::string& san, long not_before, long not_after);
  std::string dir_, ca_cert_, ca_key_;
  void* ca_x509_ = nullptr;
  void* ca_pkey_ = nullptr;
};

}  // namespace tp::test
