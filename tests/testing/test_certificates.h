// Throwaway TLS material for tests, made once per test process by tests/testing/make_certs.sh
// (the openssl CLI) in a temporary folder removed at exit: a CA, a server certificate for
// localhost/127.0.0.1/::1 and a client certificate signed by it, and a second, untrusted CA with a
// client certificate of its own. No private key is ever committed.
#ifndef FORECASTLE_TESTS_TESTING_TEST_CERTIFICATES_H_
#define FORECASTLE_TESTS_TESTING_TEST_CERTIFICATES_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#ifndef FORECASTLE_MAKE_CERTS
#error "FORECASTLE_MAKE_CERTS must name tests/testing/make_certs.sh"
#endif

namespace forecastle::testing {

class TestCertificates {
 public:
  // The folder's files: "ca.crt", "server.key", "other-client.crt", ... (see make_certs.sh).
  std::string Path(const std::string& file) const { return dir_ + "/" + file; }
  std::string Pem(const std::string& file) const {
    std::ifstream in(Path(file));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static const TestCertificates& Get() {
    static const TestCertificates certificates;
    return certificates;
  }

 private:
  TestCertificates() : dir_(::testing::TempDir() + "/forecastle_certs_" + std::to_string(getpid())) {
    std::filesystem::remove_all(dir_);
    const std::string command = std::string(FORECASTLE_MAKE_CERTS) + " '" + dir_ + "' 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot make test certificates: " + command);
  }
  ~TestCertificates() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string dir_;
};

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_TEST_CERTIFICATES_H_
