"""The base of the fake services: an HTTPS server (python3 stdlib) on a
loopback port, with a request log and fault switches that every fake
supports. A subclass routes requests and writes its vendor's error body."""
import http.server
import json
import os
import re
import ssl
import threading
import time
import urllib.parse

FAULTS = ("stall", "500", "429", "malformed", "shape", "huge", "redirect",
          "down")
# A fault applies to the requests whose path starts with `prefix` (and, when
# given, fully matches the regular expression `path` and has the method
# `method`), `times` times (None: always). Kinds:
#   stall      answer stall_seconds late; with drop=True never answer and
#              do nothing (the connection is closed after the stall)
#   500 / 429 / malformed / shape / huge / redirect   answer with that
#   down       answer normally (Connection: close), then stop listening:
#              every later connection is refused (a service that went down
#              between two steps)
# Faults can also be set at start from the environment, as a JSON list of
# objects with the same keys: SSPR_FAKE_FAULTS='[{"kind": "500", "method":
# "POST", "path": "/v1/users/[^/]+/methods"}]'.


class Reply:
    def __init__(self, status, body=b"", headers=None):
        self.status = status
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.body = body
        self.headers = list(headers or [])


class Request:
    def __init__(self, method, raw_path, headers, body, tls=None):
        self.method = method
        self.tls = tls  # the connection's TLS version ("TLSv1.3")
        parts = urllib.parse.urlsplit(raw_path)
        self.path = urllib.parse.unquote(parts.path)
        self.raw_path = parts.path
        self.query = urllib.parse.parse_qs(parts.query)
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


class FakeService:
    """Subclasses: route(req) -> Reply, error(status, code, msg) -> Reply."""

    def __init__(self, pki, cert="good"):
        self.pki = pki
        self.cert = cert
        self.lock = threading.Lock()
        self.requests = []     # (method, path) of every request answered
        self.faults = []       # dicts: kind, prefix, times, args
        self.outbox = None     # where a service that sends codes "sends" them
        self.stall_seconds = 5
        self.delay_seconds = 0  # every answer this late (bench/storm)
        self.down = False       # a "down" fault stopped the server

    # -- control ----------------------------------------------------------
    def fault(self, kind, prefix="", times=None, method=None, path=None,
              **args):
        assert kind in FAULTS, kind
        with self.lock:
            self.faults.append({"kind": kind, "prefix": prefix,
                                "times": times, "method": method,
                                "path": re.compile(path) if path else None,
                                "args": args})

    def faults_from_env(self, var="SSPR_FAKE_FAULTS"):
        for spec in json.loads(os.environ.get(var) or "[]"):
            spec = dict(spec)
            self.fault(spec.pop("kind"), **spec)

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def count(self, method=None, contains=""):
        with self.lock:
            return sum(1 for m, p in self.requests
                       if (method is None or m == method) and contains in p)

    def reset_log(self):
        with self.lock:
            self.requests = []

    def send_code(self, channel, to, text):
        """Writes the code where the PAM test driver reads it (@code)."""
        line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                 time.gmtime()),
                           "channel": channel, "to": to, "text": text})
        with open(self.outbox, "a") as f:
            f.write(line + "\n")

    # -- server -----------------------------------------------------------
    def start(self):
        svc = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                version = getattr(self.connection, "version", None)
                req = Request(self.command, self.path, self.headers, body,
                              version() if version else None)
                reply = svc._dispatch(req)
                if reply is None:
                    self.close_connection = True
                    return
                if getattr(reply, "down", False):
                    # Stop listening before the client has this answer, so
                    # its next connection is refused, never half-accepted.
                    self.close_connection = True
                    svc.go_down()
                try:
                    self.send_response(reply.status)
                    names = {h[0].lower() for h in reply.headers}
                    for k, v in reply.headers:
                        self.send_header(k, v)
                    if "content-type" not in names and reply.body:
                        self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that gives up mid-handshake or mid-body

        self.httpd = Server(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*self.pki.pair(self.cert))
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True,
                                            do_handshake_on_connect=False)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()
        self.faults_from_env()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def go_down(self):
        """Stops listening: later connections are refused."""
        self.httpd.shutdown()  # from a request thread: serve_forever ends
        self.httpd.server_close()
        self.down = True

    def _take_fault(self, req):
        with self.lock:
            for f in self.faults:
                if f["method"] and f["method"] != req.method:
                    continue
                if f["path"] and not f["path"].fullmatch(req.path):
                    continue
                if req.path.startswith(f["prefix"]) and f["times"] != 0:
                    if f["times"] is not None:
                        f["times"] -= 1
                    return f
        return None

    def _dispatch(self, req):
        with self.lock:
            self.requests.append((req.method, req.path))
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        f = self._take_fault(req)
        if f:
            k = f["kind"]
            if k == "stall":
                time.sleep(self.stall_seconds)
                if f["args"].get("drop"):
                    return None
            elif k == "down":
                reply = self.route(req)
                reply.headers.append(("Connection", "close"))
                reply.down = True
                return reply
            elif k == "500":
                return self.error(500, *self.internal_error())
            elif k == "429":
                return self.throttled(f["args"].get("retry_after", 1))
            elif k == "malformed":
                return Reply(200, '{"value": [{"@odata.type": "#microsoft.gr')
            elif k == "shape":
                return Reply(200, {"value": 42, "methods": "x", "id": 7,
                                   "errorCode": None})
            elif k == "huge":
                return Reply(200, b'{"value": ["' + b"x" * (10 << 20) + b'"]}')
            elif k == "redirect":
                return Reply(302, "", [("Location", "https://other.example:"
                                        f"{self.port}{req.raw_path}")])
        return self.route(req)

    # -- for subclasses -----------------------------------------------------
    def internal_error(self):
        return ("generalException", "An internal server error occurred.")

    def throttled(self, retry_after):
        r = self.error(429, "TooManyRequests", "Too many requests.")
        r.headers.append(("Retry-After", str(retry_after)))
        return r

    def route(self, req):
        raise NotImplementedError

    def error(self, status, code, message):
        raise NotImplementedError
