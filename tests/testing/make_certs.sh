#!/bin/sh
# Makes throwaway TLS material for the tests in DIR (nothing here is ever committed):
#   ca.crt ca.key                the test CA
#   server.crt server.key        signed by it, for localhost, 127.0.0.1 and ::1 (subjectAltName)
#   client.crt client.key        a client certificate signed by it (mutual TLS)
#   other-ca.crt other-ca.key    a second CA nobody trusts, and
#   other-client.crt .key        a client certificate signed by that one
# P-256 keys, valid for 2 days. Usage: make_certs.sh DIR   (OPENSSL names the binary; default openssl)
set -eu
dir=$1
openssl=${OPENSSL:-openssl}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { "$openssl" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }

ca() {  # ca NAME COMMON_NAME
  key "$1"
  cat >"$1.cnf" <<CNF
[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = $2
[ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
  "$openssl" req -x509 -new -key "$1.key" -config "$1.cnf" -days 2 -out "$1.crt"
}

leaf() {  # leaf NAME COMMON_NAME CA USAGE [SUBJECT_ALT_NAME]
  key "$1"
  "$openssl" req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
  {
    echo "basicConstraints = CA:false"
    echo "keyUsage = critical, digitalSignature"
    echo "extendedKeyUsage = $4"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid"
    if [ -n "${5:-}" ]; then echo "subjectAltName = $5"; fi
  } >"$1.ext"
  "$openssl" x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
    -days 2 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "forecastle test CA"
ca other-ca "untrusted test CA"
leaf server localhost ca serverAuth "DNS:localhost, IP:127.0.0.1, IP:::1"
leaf client "test client" ca clientAuth
leaf other-client "untrusted client" other-ca clientAuth
rm -f ca.cnf other-ca.cnf
chmod 0644 ./*.crt
