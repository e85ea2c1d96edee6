#!/usr/bin/env bash
# A development certificate authority and certificates signed by it, made
# with openssl, for TLS on every connection of the dev stack and the tests.
#
#   tools/tls/make_certs.sh DIR NAME...
#
# Makes DIR/ca.pem and DIR/ca.key once (kept when present), then for each
# NAME not already there DIR/NAME.pem (certificate, signed by the CA) and
# DIR/NAME.key (its private key, mode 600). Every certificate names
# localhost, NAME and 127.0.0.1 and is good for both ends of a connection
# (serverAuth and clientAuth): a service presents the same one to its
# clients and, with mTLS, to the services it calls.
#
# Keys are ECDSA P-256; the CA lasts 10 years, the others 2. For development
# and tests only: a production CA keeps its key offline.
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 DIR NAME..." >&2
  exit 2
fi
dir="$1"
shift
mkdir -p "${dir}"
umask 077

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [[ ! -f "${dir}/ca.pem" || ! -f "${dir}/ca.key" ]]; then
  new_key "${dir}/ca.key"
  openssl req -x509 -new -key "${dir}/ca.key" -sha256 -days 3650 \
    -subj "/O=shop development/CN=shop development CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "${dir}/ca.pem" 2>/dev/null
  chmod 644 "${dir}/ca.pem"
fi

for name in "$@"; do
  [[ "${name}" =~ ^[a-zA-Z0-9_.-]+$ ]] || {
    echo "$0: bad name ${name}" >&2
    exit 2
  }
  [[ -f "${dir}/${name}.pem" && -f "${dir}/${name}.key" ]] && continue
  new_key "${dir}/${name}.key"
  openssl req -new -key "${dir}/${name}.key" -subj "/O=shop development/CN=${name}" \
    -out "${dir}/${name}.csr" 2>/dev/null
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=DNS:localhost,DNS:${name},IP:127.0.0.1" >"${dir}/${name}.ext"
  openssl x509 -req -in "${dir}/${name}.csr" -CA "${dir}/ca.pem" -CAkey "${dir}/ca.key" \
    -CAcreateserial -days 730 -sha256 -extfile "${dir}/${name}.ext" \
    -out "${dir}/${name}.pem" 2>/dev/null
  chmod 644 "${dir}/${name}.pem"
  rm -f "${dir}/${name}.csr" "${dir}/${name}.ext"
done
