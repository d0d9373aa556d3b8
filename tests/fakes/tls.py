"""A throw-away PKI for the fake services, made with the openssl CLI at
test time: a test CA, a server certificate for localhost/127.0.0.1, one
for the wrong host name, and one from a CA nobody trusts."""
import atexit
import os
import shutil
import subprocess
import tempfile


def _run(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ca(d, name):
    _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem",
         "-days", "2", "-subj", f"/CN={name}",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def _leaf(d, name, ca, san):
    _run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
         "-subj", f"/CN={name}", cwd=d)
    with open(os.path.join(d, f"{name}.ext"), "w") as f:
        f.write(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    _run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem",
         "-CAkey", f"{ca}.key", "-CAcreateserial", "-out", f"{name}.pem",
         "-days", "2", "-extfile", f"{name}.ext", cwd=d)


class Pki:
    """Files under `d`: ca.pem (to trust) and (cert, key) pairs."""

    def __init__(self, d):
        os.makedirs(d, exist_ok=True)
        _ca(d, "ca")
        _ca(d, "rogue-ca")
        _leaf(d, "good", "ca", "DNS:localhost,IP:127.0.0.1,IP:::1")
        _leaf(d, "wrongname", "ca", "DNS:wrong.example")
        _leaf(d, "untrusted", "rogue-ca", "DNS:localhost,IP:127.0.0.1")
        for n in os.listdir(d):  # the helper user reads ca.pem
            os.chmod(os.path.join(d, n), 0o644 if n.endswith(".pem") else 0o600)
        os.chmod(d, 0o755)
        self.dir = d
        self.ca = os.path.join(d, "ca.pem")

    def pair(self, name):
        return (os.path.join(self.dir, f"{name}.pem"),
                os.path.join(self.dir, f"{name}.key"))

    def spki_pin(self, name="good"):
        """curl's pinned_pubkey form: sha256//BASE64 of the DER key."""
        pem = os.path.join(self.dir, f"{name}.pem")
        pub = subprocess.run(["openssl", "x509", "-in", pem, "-pubkey",
                              "-noout"], check=True, capture_output=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"],
                             input=pub, check=True, capture_output=True).stdout
        dgst = subprocess.run(["openssl", "dgst", "-sha256", "-binary"],
                              input=der, check=True, capture_output=True).stdout
        b64 = subprocess.run(["openssl", "base64", "-A"], input=dgst,
                             check=True, capture_output=True).stdout
        return "sha256//" + b64.decode().strip()


_shared = None


def shared_pki():
    """One Pki per test process, made on first use."""
    global _shared
    if _shared is None:
        path = tempfile.mkdtemp(prefix="sspr-pki-")
        atexit.register(shutil.rmtree, path, True)  # made once, kept to exit
        _shared = Pki(path)
    return _shared
