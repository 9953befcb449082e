#!/usr/bin/env python3
"""A timestamp authority for the tests: `openssl ts -reply` behind a loopback
HTTP server (Python's http.server). Prints the port it listens on, then
serves RFC 3161 requests POSTed as application/timestamp-query.

Usage: tsa-http.py <openssl ts config> [port]   (port 0 or absent: any)
"""
import http.server
import os
import subprocess
import sys
import tempfile

CONFIG = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0
MAX_REQUEST = 64 * 1024


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length <= 0 or length > MAX_REQUEST:
            self.send_error(400, "bad request length")
            return
        query = self.rfile.read(length)
        with tempfile.TemporaryDirectory() as work:
            tsq = os.path.join(work, "request.tsq")
            tsr = os.path.join(work, "reply.tsr")
            with open(tsq, "wb") as f:
                f.write(query)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", CONFIG, "-queryfile", tsq, "-out", tsr],
                capture_output=True,
            )
            if done.returncode != 0:
                self.send_error(500, done.stderr.decode(errors="replace")[:200])
                return
            with open(tsr, "rb") as f:
                reply = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
