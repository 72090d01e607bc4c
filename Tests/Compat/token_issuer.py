#!/usr/bin/env python3
"""A tiny OpenID Connect issuer for the compatibility suite (stdlib HTTP + `cryptography`).

It makes an RSA key, writes the private key (PEM) where the tests can mint tokens with it,
and serves the discovery document and the JWKS that an `auth_backend: oidc` node fetches:

    token_issuer.py --port 0 --key-file /tmp/x/issuer-key.pem --ready /tmp/x/issuer.json

The ready file holds {"issuer": "http://127.0.0.1:<port>", "kid": "<key id>"} once it serves.
"""

import argparse
import base64
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "compat-rsa-1"


def b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--ready", required=True)
    args = parser.parse_args()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with open(os.open(args.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(pem)
    numbers = key.public_key().public_numbers()
    jwks = {
        "keys": [
            {
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": KID,
                "n": b64url_uint(numbers.n),
                "e": b64url_uint(numbers.e),
            }
        ]
    }

    server = ThreadingHTTPServer(("127.0.0.1", args.port), None)
    issuer = "http://127.0.0.1:%d" % server.server_address[1]
    documents = {
        "/.well-known/openid-configuration": {
            "issuer": issuer,
            "jwks_uri": issuer + "/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        },
        "/jwks": jwks,
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            document = documents.get(self.path)
            body = json.dumps(document if document is not None else {"error": "not found"}).encode()
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            sys.stderr.write("token-issuer: " + (format % args) + "\n")

    server.RequestHandlerClass = Handler
    ready_tmp = args.ready + ".tmp"
    with open(ready_tmp, "w") as out:
        json.dump({"issuer": issuer, "kid": KID}, out)
    os.rename(ready_tmp, args.ready)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
