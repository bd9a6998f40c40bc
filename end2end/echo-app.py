"""The apps behind the proxy in the forward-authentication tests: each
port is an app that answers every request with a page showing what it
received (path, Cookie and Remote-* headers), so a test can see exactly
what the proxy passed on. Usage: echo-app.py NAME=PORT [NAME=PORT ...]"""
import html
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def handler(name):
    class Echo(BaseHTTPRequestHandler):
        def do_GET(self):
            got = {
                "app": name,
                "path": self.path,
                "cookie": self.headers.get("Cookie"),
                "remote": {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("remote-")},
            }
            body = (
                f"<!doctype html><title>{name}</title><h1>{name}</h1>"
                f"<pre id=\"echo\">{html.escape(json.dumps(got))}</pre>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Echo


servers = []
for arg in sys.argv[1:]:
    name, port = arg.split("=")
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), handler(name))
    servers.append(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
threading.Event().wait()
