#include "server/tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"

namespace forecastle {
namespace {

absl::Status Refuse(absl::string_view flag, absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, " ", path, ": ", why));
}

absl::StatusOr<std::string> ReadFile(absl::string_view flag, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Refuse(flag, path, absl::StrCat("cannot read it: ", std::strerror(errno)));
  std::string text;
  char buffer[8192];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  const int error = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (error != 0) return Refuse(flag, path, absl::StrCat("cannot read it: ", std::strerror(error)));
  return text;
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> Bio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate in `pem`, or null. OpenSSL's error queue is left empty either way.
std::unique_ptr<X509, X509Free> FirstCertificate(const std::string& pem) {
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(Bio(pem).get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

// Reads a PEM file of certificates, refusing one with none.
absl::StatusOr<std::string> ReadCertificates(absl::string_view flag, const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(flag, path));
  if (!FirstCertificate(pem)) return Refuse(flag, path, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  return pem;
}

}  // namespace

std::string ListenHost(absl::string_view listen) {
  const size_t colon = listen.rfind(':');
  absl::string_view host = listen.substr(0, colon == absl::string_view::npos ? listen.size() : colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::string(host);
}

bool IsLoopbackHost(absl::string_view host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  const std::string text(host);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

const char* TransportName(const TlsOptions& tls) {
  if (tls.cert_file.empty()) return "plaintext";
  return tls.client_ca_file.empty() ? "TLS" : "mutual TLS";
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials(absl::string_view listen,
                                                                             const TlsOptions& tls,
                                                                             bool insecure) {
  if (tls.cert_file.empty() && !tls.key_file.empty()) {
    return absl::InvalidArgumentError("--tls_key needs --tls_cert, the certificate the key belongs to");
  }
  if (!tls.cert_file.empty() && tls.key_file.empty()) {
    return absl::InvalidArgumentError("--tls_cert needs --tls_key, the certificate's private key");
  }
  if (tls.cert_file.empty() && !tls.client_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "--client_ca needs --tls_cert and --tls_key: mutual TLS is TLS with client certificates");
  }
  if (tls.cert_file.empty()) {
    if (!insecure && !IsLoopbackHost(ListenHost(listen))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "refusing plaintext gRPC on ", listen, ", which is not a loopback address: give --tls_cert and "
          "--tls_key (and --client_ca for mutual TLS), or --insecure to serve plaintext anyway (behind a "
          "TLS-terminating proxy or service mesh)"));
    }
    return grpc::InsecureServerCredentials();
  }

  ASSIGN_OR_RETURN(std::string cert_pem, ReadCertificates("tls_cert", tls.cert_file));
  ASSIGN_OR_RETURN(std::string key_pem, ReadFile("tls_key", tls.key_file));
  // No passphrase callback: an encrypted key fails here rather than prompting on a terminal.
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(Bio(key_pem).get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  ERR_clear_error();
  if (!key) return Refuse("tls_key", tls.key_file, "holds no unencrypted PEM private key");
  if (X509_check_private_key(FirstCertificate(cert_pem).get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("--tls_key ", tls.key_file,
                                                   " is not the private key of the certificate in --tls_cert ",
                                                   tls.cert_file));
  }

  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({std::move(key_pem), std::move(cert_pem)});
  if (!tls.client_ca_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadCertificates("client_ca", tls.client_ca_file));
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace forecastle
