#include "client/cli/tls.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <grpcpp/security/credentials.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace forecastle::cli {
namespace {

// A file named by a flag or, failing that, by an environment variable; `source` says which.
struct Named {
  std::string source;  // "--ca" or "FORECASTLE_CA"
  std::string path;
};

std::optional<Named> Lookup(const Args& args, const std::string& flag) {
  if (args.Has(flag)) return Named{"--" + flag, args.Get(flag)};
  const std::string variable = "FORECASTLE_" + absl::AsciiStrToUpper(flag);
  const char* value = std::getenv(variable.c_str());
  if (value != nullptr && *value != '\0') return Named{variable, value};
  return std::nullopt;
}

absl::StatusOr<std::string> ReadPem(const Named& file, const char* marker, const char* what) {
  std::FILE* f = std::fopen(file.path.c_str(), "rb");
  if (f == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.source, " ", file.path, ": cannot read it: ", std::strerror(errno)));
  }
  std::string text;
  char buffer[8192];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  const int error = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (error != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.source, " ", file.path, ": cannot read it: ", std::strerror(error)));
  }
  if (!absl::StrContains(text, marker)) {
    return absl::InvalidArgumentError(absl::StrCat(file.source, " ", file.path, ": holds no PEM ", what));
  }
  return text;
}

}  // namespace

bool UsesTls(const Args& args) {
  return args.Has("tls") || Lookup(args, "ca") || Lookup(args, "cert") || Lookup(args, "key");
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(const Args& args) {
  const std::optional<Named> ca = Lookup(args, "ca"), cert = Lookup(args, "cert"), key = Lookup(args, "key");
  if (cert && !key) {
    return absl::InvalidArgumentError(absl::StrCat(cert->source, " needs --key (or FORECASTLE_KEY), its private key"));
  }
  if (key && !cert) {
    return absl::InvalidArgumentError(
        absl::StrCat(key->source, " needs --cert (or FORECASTLE_CERT), the certificate it belongs to"));
  }
  if (!args.Has("tls") && !ca && !cert) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;  // no root certificates: the system's
  if (ca) {
    auto pem = ReadPem(*ca, "-----BEGIN CERTIFICATE-----", "certificate");
    if (!pem.ok()) return pem.status();
    options.pem_root_certs = *std::move(pem);
  }
  if (cert) {
    auto chain = ReadPem(*cert, "-----BEGIN CERTIFICATE-----", "certificate");
    if (!chain.ok()) return chain.status();
    auto private_key = ReadPem(*key, "PRIVATE KEY-----", "private key");
    if (!private_key.ok()) return private_key.status();
    options.pem_cert_chain = *std::move(chain);
    options.pem_private_key = *std::move(private_key);
  }
  return grpc::SslCredentials(options);
}

}  // namespace forecastle::cli
