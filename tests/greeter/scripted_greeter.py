"""A LightDM greeter with no window, driven by the test over a socket.

LightDM starts it as its greeter (greeter-session) under the seat's X
server, as the user lightdm, with the greeter protocol on the fds that
liblightdm-gobject finds in its environment. It connects to the test's
Unix socket (argv[1]) and relays, one JSON object a line:

  to the test:   {"event": "prompt", "type": "secret"|"question", "text"}
                 {"event": "message", "type": "info"|"error", "text"}
                 {"event": "complete", "authenticated": bool}
  from the test: {"cmd": "login", "user": NAME}   lightdm_greeter_authenticate
                 {"cmd": "answer", "text": TEXT}  lightdm_greeter_respond

Every show-prompt and show-message signal is passed on as it comes, in
order, with its type: what LightDM gives any greeter. Run by Debian's
/usr/bin/python3 (python3-gi, gir1.2-lightdm-1).
"""
import json
import socket
import sys

import gi

gi.require_version("LightDM", "1")
from gi.repository import GLib, LightDM  # noqa: E402

MAX_LINE = 64 * 1024  # a command longer than this ends the greeter


class Relay:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.greeter = LightDM.Greeter()
        self.greeter.connect("show-prompt", self.on_prompt)
        self.greeter.connect("show-message", self.on_message)
        self.greeter.connect("authentication-complete", self.on_complete)
        self.loop = GLib.MainLoop()

    def send(self, **event):
        self.sock.sendall(json.dumps(event).encode() + b"\n")

    def on_prompt(self, _greeter, text, kind):
        secret = kind == LightDM.PromptType.SECRET
        self.send(event="prompt", type="secret" if secret else "question",
                  text=text)

    def on_message(self, _greeter, text, kind):
        error = kind == LightDM.MessageType.ERROR
        self.send(event="message", type="error" if error else "info",
                  text=text)

    def on_complete(self, greeter):
        self.send(event="complete",
                  authenticated=bool(greeter.get_is_authenticated()))

    def on_readable(self, _fd, _cond):
        data = self.sock.recv(4096)
        if not data:
            self.loop.quit()
            return False
        self.buf += data
        if len(self.buf) > MAX_LINE:
            self.loop.quit()
            return False
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            cmd = json.loads(line)
            if cmd["cmd"] == "login":
                self.greeter.authenticate(cmd["user"])
            elif cmd["cmd"] == "answer":
                self.greeter.respond(cmd["text"])
        return True

    def run(self):
        self.greeter.connect_to_daemon_sync()
        self.send(event="ready")
        GLib.io_add_watch(self.sock.fileno(), GLib.IO_IN | GLib.IO_HUP,
                          self.on_readable)
        self.loop.run()


if __name__ == "__main__":
    Relay(sys.argv[1]).run()
