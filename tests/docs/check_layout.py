#!/usr/bin/env python3
"""The house keeps its shape: the arrows that must never exist, one target
per source file, and no long file without a reason.

Usage: check_layout.py SOURCE_DIR

1. Arrows (#include lines), by folder:
   - common/ is the floor: it includes only common/ and libc.
   - protocol/ includes common/ and protocol/; config/ includes common/ and
     config/: config reaches neither side.
   - pam_module/ (runs as root inside sshd) includes common/, protocol/,
     config/ and itself: nothing of helper/ (where network data is parsed)
     and no library that parses network data or links a C++ dependency.
   - helper/ never includes pam_module/ or PAM's headers: a backend never
     reaches PAM.
   - tools/ (sspr-admin) never includes pam_module/.
   - setpass/ (root) includes common/ and protocol/ only.
2. Every .c/.cc named in CMakeLists.txt (the top one) is built into one
   target only.
3. A source file over LONG_LINES lines says why near its top, in a comment
   containing "is long because".
Every breach is printed with its file and line; any breach fails.
"""
import os
import re
import sys

LONG_LINES = 400
# Libraries the module must never include: they parse network data or
# bring a C++ dependency into sshd.
HEAVY = ("curl/", "json-c/", "json.h", "ldap.h", "lber.h", "openssl/",
         "phonenumbers/", "unicode/", "qrencode.h", "seccomp.h")

RULES = {
    # folder: (allowed own-tree include prefixes, forbid heavy, forbid PAM)
    "common": (("common/",), True, True),
    "protocol": (("common/", "protocol/"), True, True),
    "config": (("common/", "config/"), True, True),
    "pam_module": (("common/", "protocol/", "config/", "pam_module/"),
                   True, False),
    "helper": (("common/", "protocol/", "config/", "helper/"), False, True),
    "tools": (("common/", "protocol/", "config/", "helper/", "tools/"),
              False, True),
    # sspr-setpass (root, sets the password of the module's PAM user):
    # PAM and the codec, nothing that parses network data.
    "setpass": (("common/", "protocol/", "setpass/"), True, False),
}
SOURCE_DIRS = ("common", "protocol", "config", "pam_module", "helper",
               "tools", "setpass")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def sources(root, dirs, exts=(".c", ".cc", ".h")):
    for d in dirs:
        for base, _, files in os.walk(os.path.join(root, d)):
            for f in sorted(files):
                if f.endswith(exts):
                    yield os.path.join(base, f)


def check_arrows(root, errors):
    for top, (allowed, no_heavy, no_pam) in RULES.items():
        for path in sources(root, (top,)):
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    kind, name = m.groups()
                    where = f"{rel}:{n}: includes {name}"
                    if kind == '"' and "/" in name and not name.startswith(allowed):
                        errors.append(f"{where}: {top}/ may include only "
                                      + ", ".join(allowed))
                    if kind == "<" and no_pam and name.startswith("security/"):
                        errors.append(f"{where}: {top}/ must not reach PAM")
                    if kind == "<" and no_heavy and name.startswith(HEAVY):
                        errors.append(f"{where}: {top}/ must not include a "
                                      "library that parses network data")


def check_one_target(root, errors):
    path = os.path.join(root, "CMakeLists.txt")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"#[^\n]*", "", text)
    seen = {}
    for m in re.finditer(r"[\w/.-]+\.cc?\b", text):
        seen.setdefault(m.group(0), []).append(m.start())
    for name, places in sorted(seen.items()):
        if len(places) > 1:
            errors.append(f"CMakeLists.txt: {name} is built into "
                          f"{len(places)} targets (one only)")


def check_long(root, errors):
    dirs = SOURCE_DIRS + ("tests", "bench")
    for path in sources(root, dirs, (".c", ".cc", ".h", ".py")):
        rel = os.path.relpath(path, root)
        if "/corpus/" in rel or "/crashes/" in rel:
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
        if len(lines) > LONG_LINES and not any(
                "is long because" in line for line in lines[:40]):
            errors.append(f"{rel}: {len(lines)} lines and no note near the "
                          "top saying why it 'is long because'")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    root = sys.argv[1]
    errors = []
    check_arrows(root, errors)
    check_one_target(root, errors)
    check_long(root, errors)
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} layout breach(es)")
        return 1
    print("layout: no forbidden arrow, one target per source, "
          "every long file says why")
    return 0


if __name__ == "__main__":
    sys.exit(main())
