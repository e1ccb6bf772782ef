#!/usr/bin/env bash
# Builds the test PKI for the bad-upstream cases of ../shared/SECURITY.md (a.3, a.4) with the
# openssl CLI, at test time, into DIR (never committed, never reused outside tests).
#   make_pki.sh DIR
# Writes <case>.pem (leaf + chain, PEM) and <case>.key for each case, and root.pem, the only
# anchor the tests give Warden (--upstream-ca).
set -euo pipefail
DIR=$1
mkdir -p "$DIR"
cd "$DIR"
exec 2>>openssl.log
O() { openssl "$@" >/dev/null; }

# Roots and an intermediate (pathlen 0), as in a.3.
O req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 3650 \
  -subj "/CN=Test Root CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"
# C12: another root with the same subject name but its own key, which Warden does not trust.
O req -x509 -newkey rsa:2048 -nodes -keyout evil-root.key -out evil-root.pem -days 3650 \
  -subj "/CN=Test Root CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"
printf "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n" >ca.ext
O req -new -newkey rsa:2048 -nodes -keyout int.key -out int.csr -subj "/CN=Test Intermediate CA"
O x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -days 3650 -sha256 -extfile ca.ext -out int.pem

# ca.cnf for dates in the past or future (x509 -req has no -not_before in OpenSSL 3.0).
mkdir -p db/new
: >db/index.txt
echo 1000 >db/serial
cat >ca.cnf <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
database = db/index.txt
new_certs_dir = db/new
serial = db/serial
certificate = int.pem
private_key = int.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
CNF

# leaf_ext NAME SAN [EXTRA-EXT]: NAME.ext, a server leaf's extensions (as a.3).
leaf_ext() {
  printf "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n%s\nsubjectAltName=%s\n" \
    "${3:-extendedKeyUsage=serverAuth}" "$2" >"$1.ext"
}

# leaf NAME SAN KEYSPEC MD [EXTRA-EXT] [ISSUER-CERT ISSUER-KEY]
leaf() {
  local name=$1 san=$2 keyspec=$3 md=$4 extra=${5:-} ic=${6:-int.pem} ik=${7:-int.key}
  leaf_ext "$name" "$san" "$extra"
  O req -new -newkey $keyspec -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=good.test"
  O x509 -req -in "$name.csr" -CA "$ic" -CAkey "$ik" -CAcreateserial -days 90 -"$md" -extfile "$name.ext" -out "$name.crt"
  cat "$name.crt" "$ic" >"$name.pem"
}

leaf good "DNS:good.test" rsa:2048 sha256
leaf ecc "DNS:good.test" "ec -pkeyopt ec_paramgen_curve:P-256" sha256
leaf wronghost "DNS:other.test" rsa:2048 sha256
leaf sha1 "DNS:good.test" rsa:2048 sha1
leaf clientauth "DNS:good.test" rsa:2048 sha256 "extendedKeyUsage=clientAuth"
leaf weakkey "DNS:good.test" rsa:1024 sha256
leaf critical "DNS:good.test" rsa:2048 sha256 $'extendedKeyUsage=serverAuth\n1.2.3.4.5=critical,ASN1:NULL'
leaf cn_only "email:x@good.test" rsa:2048 sha256
leaf wildcard "DNS:*.good.test" rsa:2048 sha256
leaf untrusted "DNS:good.test" rsa:2048 sha256 "" evil-root.pem evil-root.key

# Dates: expired and not yet valid.
for c in expired notyet; do
  leaf_ext $c DNS:good.test
  O req -new -newkey rsa:2048 -nodes -keyout $c.key -out $c.csr -subj "/CN=good.test"
done
O ca -batch -config ca.cnf -in expired.csr -startdate 20200101000000Z -enddate 20200201000000Z -extfile expired.ext -out expired.crt
O ca -batch -config ca.cnf -in notyet.csr -startdate 20990101000000Z -enddate 20991231000000Z -extfile notyet.ext -out notyet.crt
cat expired.crt int.pem >expired.pem
cat notyet.crt int.pem >notyet.pem

# C11: self-signed leaf.
O req -x509 -newkey rsa:2048 -nodes -keyout selfsigned.key -out selfsigned.pem -days 90 \
  -subj "/CN=good.test" -addext "subjectAltName=DNS:good.test" -addext "extendedKeyUsage=serverAuth"

# C15: the pathlen:0 intermediate issues a sub-CA, which issues the leaf.
printf "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" >sub.ext
O req -new -newkey rsa:2048 -nodes -keyout sub.key -out sub.csr -subj "/CN=Test Sub CA"
O x509 -req -in sub.csr -CA int.pem -CAkey int.key -CAcreateserial -days 365 -sha256 -extfile sub.ext -out sub.pem
leaf pathlen "DNS:good.test" rsa:2048 sha256 "" sub.pem sub.key
cat pathlen.crt sub.pem int.pem >pathlen.pem

# C16: an intermediate whose name constraints permit only .allowed.test issues good.test.
printf "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nnameConstraints=critical,permitted;DNS:.allowed.test\n" >nc.ext
O req -new -newkey rsa:2048 -nodes -keyout nc.key -out nc.csr -subj "/CN=Constrained CA"
O x509 -req -in nc.csr -CA root.pem -CAkey root.key -CAcreateserial -days 365 -sha256 -extfile nc.ext -out nc.pem
leaf constrained "DNS:good.test" rsa:2048 sha256 "" nc.pem nc.key

# C19 (second form): a SHA-1-signed intermediate issuing a SHA-256 leaf.
O x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -days 365 -sha1 -extfile ca.ext -out int-sha1.pem
leaf sha1int "DNS:good.test" rsa:2048 sha256 "" int-sha1.pem int.key

# C26: a chain with an unrelated extra certificate between the leaf and its issuer.
cat good.crt evil-root.pem int.pem >extra.pem
cp good.key extra.key

# C27: a leaf with 1000 names (allowed; the minted certificate names only the one asked for).
sans="DNS:good.test"
for i in $(seq 1 999); do sans="$sans,DNS:n$i.good.test"; done
leaf manysans "$sans" rsa:2048 sha256

# C25: the leaf alone, intermediate missing.
cp good.crt incomplete.pem
cp good.key incomplete.key

# C02: big keys and strong digests, all to be served (P-384, RSA-4096, SHA-512).
leaf ecc384 "DNS:good.test" "ec -pkeyopt ec_paramgen_curve:P-384" sha384
leaf rsa4096 "DNS:good.test" rsa:4096 sha512

# C20 MD5 signature, C22 RSA-512 key.
leaf md5 "DNS:good.test" rsa:2048 md5
leaf rsa512 "DNS:good.test" rsa:512 sha256

# C32: a SAN dNSName with a NUL byte, "good.test\0.evil.test" (the 2009 null-prefix attack),
# written as raw DER since no CLI will put a NUL in a name.
nul_name=$(printf 'good.test' | od -An -tx1 | tr -d ' \n')00$(printf '.evil.test' | od -An -tx1 | tr -d ' \n')
leaf nulsan "DER:30168214$nul_name" rsa:2048 sha256

# C33: a P-256 key written with explicit curve parameters instead of the named curve.
O ecparam -name prime256v1 -param_enc explicit -genkey -noout -out explicit.key
leaf_ext explicit DNS:good.test
O req -new -key explicit.key -out explicit.csr -subj "/CN=good.test"
O x509 -req -in explicit.csr -CA int.pem -CAkey int.key -CAcreateserial -days 90 -sha256 -extfile explicit.ext -out explicit.crt
cat explicit.crt int.pem >explicit.pem

# C10: a leaf for the address 127.0.0.1 (IP SAN), for clients that send no SNI.
leaf ipsan "IP:127.0.0.1" rsa:2048 sha256

# C24: stapled OCSP. Leaves issued by `openssl ca` (so the index knows them), one revoked, and
# responses signed by the intermediate; badstaple's response is signed by an unrelated key.
for c in stapled revoked badstaple; do
  leaf_ext $c DNS:good.test
  O req -new -newkey rsa:2048 -nodes -keyout $c.key -out $c.csr -subj "/CN=good.test"
  O ca -batch -config ca.cnf -in $c.csr -days 90 -extfile $c.ext -out $c.crt
  cat $c.crt int.pem >$c.pem
  O ocsp -issuer int.pem -cert $c.crt -no_nonce -reqout $c.req
done
O ca -config ca.cnf -revoke revoked.crt -crl_reason keyCompromise
O ocsp -index db/index.txt -rsigner int.pem -rkey int.key -CA int.pem -reqin stapled.req -respout stapled.ocsp -ndays 7
O ocsp -index db/index.txt -rsigner int.pem -rkey int.key -CA int.pem -reqin revoked.req -respout revoked.ocsp -ndays 7
O ocsp -index db/index.txt -rsigner evil-root.pem -rkey evil-root.key -CA int.pem -reqin badstaple.req -respout badstaple.ocsp -ndays 7
echo ok
