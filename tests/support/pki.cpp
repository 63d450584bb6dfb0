#include "pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <stdexcept>

namespace tp::test {

namespace {

EVP_PKEY* new_key() {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  if (!k) throw std::runtime_error("unable to make an EC key");
  return k;
}

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("unable to write " + path);
  if (cert) PEM_write_X509(f, cert);
  if (key) PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  // A private key is for its owner only; tenpoint-server refuses one others can read.
  if (key) ::chmod(path.c_str(), 0600);
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* make_cert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, long not_before, long not_after, bool ca,
                const std::string& san) {
  static long serial = 1000;
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(x), not_before);
  X509_gmtime_adj(X509_getm_notAfter(x), not_after);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer : x;
  X509_set_issuer_name(x, X509_get_subject_name(signer));
  add_ext(x, signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (ca)
    add_ext(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  else
    add_ext(x, signer, NID_ext_key_usage, "serverAuth");
  add_ext(x, signer, NID_subject_key_identifier, "hash");
  if (!san.empty()) add_ext(x, signer, NID_subject_alt_name, san);
  X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
  return x;
}

std::string san_of(const std::vector<std::string>& dns, const std::vector<std::string>& ips) {
  std::string san;
  for (const auto& d : dns) san += (san.empty() ? "" : ",") + ("DNS:" + d);
  for (const auto& i : ips) san += (san.empty() ? "" : ",") + ("IP:" + i);
  return san;
}

}  // namespace

TestPki::TestPki(std::string dir) : dir_(std::move(dir)) {
  EVP_PKEY* key = new_key();
  X509* ca = make_cert("Tenpoint Test CA", key, nullptr, nullptr, -3600, 365L * 86400, true, "");
  ca_cert_ = dir_ + "/ca.pem";
  ca_key_ = dir_ + "/ca.key";
  write_pem(ca_cert_, ca, nullptr);
  write_pem(ca_key_, nullptr, key);
  ca_x509_ = ca;
  ca_pkey_ = key;
}

TestPki::~TestPki() {
  X509_free(static_cast<X509*>(ca_x509_));
  EVP_PKEY_free(static_cast<EVP_PKEY*>(ca_pkey_));
}

CertFiles TestPki::issue(const std::string& name, bool signed_by_ca, const std::string& san, long not_before, long not_after) {
  EVP_PKEY* key = new_key();
  X509* issuer = signed_by_ca ? static_cast<X509*>(ca_x509_) : nullptr;
  EVP_PKEY* issuer_key = signed_by_ca ? static_cast<EVP_PKEY*>(ca_pkey_) : nullptr;
  X509* x = make_cert(name, key, issuer, issuer_key, not_before, not_after, false, san);
  CertFiles f{dir_ + "/" + name + ".pem", dir_ + "/" + name + ".key"};
  write_pem(f.cert, x, nullptr);
  write_pem(f.key, nullptr, key);
  X509_free(x);
  EVP_PKEY_free(key);
  return f;
}

CertFiles TestPki::server_cert(const std::string& name, const std::vector<std::string>& dns, const std::vector<std::string>& ips,
                               long not_before, long not_after) {
  return issue(name, true, san_of(dns, ips), not_before, not_after);
}

CertFiles TestPki::self_signed(const std::string& name, const std::vector<std::string>& ips) {
  return issue(name, false, san_of({}, ips), -3600, 30L * 86400);
}

std::string TestPki::pin_of(const std::string& cert_file) {
  FILE* f = std::fopen(cert_file.c_str(), "r");
  if (!f) throw std::runtime_error("unable to read " + cert_file);
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(X509_get0_pubkey(x), &der);
  unsigned char digest[32];
  unsigned int dlen = 0;
  EVP_Digest(der, static_cast<std::size_t>(len), digest, &dlen, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  X509_free(x);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, digest, 32);
  return "sha256//" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

}  // namespace tp::test
