"""A fake SMTP submission server (python3 stdlib) on a loopback port:
EHLO advertises STARTTLS, then (after the upgrade) AUTH PLAIN LOGIN; MAIL is
refused before STARTTLS, so a message it accepts travelled over TLS. Every
accepted message is appended to `record` as one JSON line in the outbox's
shape ({"channel":"email","to":...,"text": body}) plus the raw message, so
the PAM test driver's @code reads codes from it.

Fault switches (attribute `fault`): "no_starttls" (never offered, STARTTLS
refused), "bad_cert" (the upgrade presents a certificate from an untrusted
CA), "auth_fail" (every AUTH gets 535). `rcpt_replies` maps a recipient
address to the reply its RCPT TO gets instead of 250 ("550 5.1.1 no such
user", "451 4.3.0 try later")."""
import base64
import json
import socketserver
import ssl
import threading
import time


class FakeSmtp:
    def __init__(self, pki, record, user="mailer", password="s3cret-pass"):
        self.pki = pki
        self.record = record
        self.user = user
        self.password = password
        self.fault = None
        self.rcpt_replies = {}
        self.lock = threading.Lock()
        self.sessions = []  # per connection: list of commands (verbs only)
        self.messages = []  # dicts: from, rcpt, data, tls, auth

    def _ctx(self):
        cert = "untrusted" if self.fault == "bad_cert" else "good"
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*self.pki.pair(cert))
        return ctx

    def start(self):
        svc = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 20

            def send(self, line):
                self.wfile.write((line + "\r\n").encode())
                self.wfile.flush()

            def finish(self):
                try:
                    super().finish()
                finally:
                    self.connection.close()  # the TLS socket after STARTTLS

            def handle(self):
                verbs = []
                with svc.lock:
                    svc.sessions.append(verbs)
                tls = authed = False
                mail_from, rcpts = None, []
                self.send("220 fake-smtp ESMTP ready")
                while True:
                    raw = self.rfile.readline(4096)
                    if not raw:
                        return
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    verb = line.split(" ", 1)[0].upper()
                    arg = line[len(verb):].strip()
                    verbs.append(verb)
                    if verb in ("EHLO", "HELO"):
                        ext = []
                        if not tls and svc.fault != "no_starttls":
                            ext.append("STARTTLS")
                        if tls:
                            ext.append("AUTH PLAIN LOGIN")
                        ext.append("8BITMIME")
                        lines = ["fake-smtp greets you"] + ext
                        for i, l in enumerate(lines):
                            sep = " " if i == len(lines) - 1 else "-"
                            self.send(f"250{sep}{l}")
                    elif verb == "STARTTLS":
                        if tls or svc.fault == "no_starttls":
                            self.send("502 command not implemented")
                            continue
                        self.send("220 go ahead")
                        try:
                            conn = svc._ctx().wrap_socket(
                                self.connection, server_side=True)
                        except (ssl.SSLError, OSError):
                            return
                        self.connection = self.request = conn
                        self.rfile = conn.makefile("rb")
                        self.wfile = conn.makefile("wb")
                        tls = True
                        mail_from, rcpts = None, []
                    elif verb == "AUTH":
                        if not tls:
                            self.send("538 encryption required")
                            continue
                        parts = arg.split()
                        mech = parts[0].upper() if parts else ""
                        if mech == "PLAIN":
                            blob = parts[1] if len(parts) > 1 else None
                            if blob is None:
                                self.send("334 ")
                                blob = self.rfile.readline().decode().strip()
                            try:
                                _, u, p = base64.b64decode(blob).decode().split("\0")
                            except ValueError:
                                u = p = None
                        elif mech == "LOGIN":
                            if len(parts) > 1:
                                u = base64.b64decode(parts[1]).decode()
                            else:
                                self.send("334 VXNlcm5hbWU6")
                                u = base64.b64decode(
                                    self.rfile.readline().strip()).decode()
                            self.send("334 UGFzc3dvcmQ6")
                            p = base64.b64decode(
                                self.rfile.readline().strip()).decode()
                        else:
                            self.send("504 unknown mechanism")
                            continue
                        if (svc.fault != "auth_fail" and u == svc.user
                                and p == svc.password):
                            authed = True
                            self.send("235 authenticated")
                        else:
                            self.send("535 authentication failed")
                    elif verb == "MAIL":
                        if not tls:
                            self.send("530 must issue STARTTLS first")
                        elif not authed:
                            self.send("530 authentication required")
                        else:
                            mail_from, rcpts = arg, []
                            self.send("250 ok")
                    elif verb == "RCPT":
                        if mail_from is None:
                            self.send("503 need MAIL first")
                        else:
                            addr = arg.split(":", 1)[-1].strip().strip("<>")
                            reply = svc.rcpt_replies.get(addr)
                            if reply:
                                self.send(reply)
                                continue
                            rcpts.append(arg)
                            self.send("250 ok")
                    elif verb == "DATA":
                        if not rcpts:
                            self.send("503 need RCPT first")
                            continue
                        self.send("354 end with <CRLF>.<CRLF>")
                        data = []
                        while True:
                            l = self.rfile.readline(65536)
                            if not l or l == b".\r\n":
                                break
                            if l.startswith(b"."):
                                l = l[1:]  # dot-stuffing
                            data.append(l)
                        svc._store(mail_from, rcpts, b"".join(data))
                        mail_from, rcpts = None, []
                        self.send("250 queued")
                    elif verb == "RSET":
                        mail_from, rcpts = None, []
                        self.send("250 ok")
                    elif verb == "NOOP":
                        self.send("250 ok")
                    elif verb == "QUIT":
                        self.send("221 bye")
                        return
                    else:
                        self.send("500 unknown command")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"smtp://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _store(self, mail_from, rcpts, data):
        raw = data.decode("utf-8", "replace")
        head, _, body = raw.partition("\r\n\r\n")
        to = rcpts[0].split(":", 1)[-1].strip().strip("<>")
        msg = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "channel": "email", "to": to, "text": body,
               "from": mail_from, "rcpt": rcpts, "raw": raw}
        with self.lock:
            self.messages.append(msg)
            with open(self.record, "a") as f:
                f.write(json.dumps(msg, ensure_ascii=False) + "\n")
