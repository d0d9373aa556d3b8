"""The shipped docs agree with the code.

    check_docs.py SSPR_CONFIG_KEYS SOURCE_DIR

- Every key the parser knows (sspr-config-keys prints them from the parser's
  own table, with the compiled defaults) has an entry in
  man/pam_sspr.conf.5 whose text names its default, and a "# key = value"
  line in the shipped config/pam_sspr.conf whose value is the default
  (compared after the parser read both; a key without a default shows
  "# key =" or says "no default" above its line). Module arguments that the
  file refuses (conf=, helper=) are named in the file's text.
- No shipped text says that an existing feature is missing.
"""
import os
import re
import shlex
import subprocess
import sys
import unittest

KEYS_BIN = None
SRC = None

# What no shipped text may say any more: every backend, method and language
# named in them exists.
MISSING_PHRASES = [
    r"not\s+yet\s+(?:available|implemented|supported|done)",
    r"not\s+available\s+yet",
    r"english\s+only",
    r"only\s+in\s+english",
    r"in\s+this\s+version",
    r"coming\s+soon",
]
SHIPPED = ["README.md", "config/pam_sspr.conf", "man", "debian", "docs", "rpm"]


def compiled_keys():
    out = subprocess.run([KEYS_BIN], check=True, capture_output=True,
                         text=True).stdout
    keys = {}
    for line in out.splitlines():
        key, where, default = (line.split("\t") + ["", ""])[:3]
        # Paths under the install prefix (locale_dir): the docs show the
        # packages' prefix /usr; a build for /usr/local compiles that in.
        keys[key] = (where, unprefix(default))
    return keys


def unprefix(value):
    return value.replace("/usr/local/", "/usr/", 1) if value.startswith(
        "/usr/local/") else value


def canon(pairs):
    """The parser's reading of (key, value) pairs: {key: (ok, shown)}."""
    text = "".join(f"{k}\t{v}\n" for k, v in pairs)
    out = subprocess.run([KEYS_BIN, "--canon"], input=text, check=True,
                         capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        key, status, shown = (line.split("\t") + ["", ""])[:3]
        result.append((key, status == "ok", unprefix(shown)))
    return result


def troff_to_text(lines):
    """Plain text of man page source lines (fonts and requests dropped)."""
    words = []
    for line in lines:
        line = line.replace("\\-", "-").replace("\\(bu", "*").replace("\\&", "")
        line = re.sub(r"\\f[BIRP]", "", line)
        m = re.match(r"^\.(BR|BI|RB|IR|RI|IB|B|I)(?:\s+(.*))?$", line)
        if m:
            try:
                args = shlex.split(m.group(2) or "")
            except ValueError:
                args = (m.group(2) or "").split()
            words.append((" " if m.group(1) in ("B", "I") else "").join(args))
        elif line.startswith("."):
            continue
        else:
            words.append(line)
    return re.sub(r"\s+", " ", " ".join(words))


def man_entries(path, keys):
    """{key: plain text of its entry} for entries ".TP" + ".B? key ..."."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    starts = []
    for i in range(1, len(lines)):
        m = re.match(r"^\.B[IR]?\s+\"?([a-z][a-z0-9_]*)\"?(?:\s|$)", lines[i])
        if m and lines[i - 1].startswith(".TP") and m.group(1) in keys:
            starts.append((i, m.group(1)))
    entries = {}
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(lines)
        for j in range(i + 1, end):
            if lines[j].startswith((".SH", ".SS")):
                end = j
                break
        entries.setdefault(key, troff_to_text(lines[i:end]))
    return entries


def shipped_config_lines(path):
    """[(key, value, comment block above)] for "# key = value" lines."""
    found = []
    comment = []
    with open(path, encoding="utf-8") as f:
        body = f.read()
    for raw in body.splitlines():
        m = re.match(r"^#?\s*([a-z][a-z0-9_]*)\s*=\s*(.*?)\s*$", raw)
        if m and (raw.startswith("# ") and not raw.startswith("#  ")
                  or not raw.startswith("#")):
            found.append((m.group(1), m.group(2), " ".join(comment)))
            continue
        comment = comment + [raw.lstrip("# ")] if raw.startswith("#") else []
    return found


class Docs(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.keys = compiled_keys()
        cls.man = os.path.join(SRC, "man", "pam_sspr.conf.5")
        cls.conf = os.path.join(SRC, "config", "pam_sspr.conf")

    def test_the_parser_knows_keys_and_every_one_has_a_compiled_default(self):
        self.assertGreater(len(self.keys), 40)
        no_getter = sorted(k for k, (_, d) in self.keys.items() if d == "?")
        # A key added in parallel whose member this program cannot show
        # yet: its docs are still checked, its default is not compared.
        # Say so loudly, and never let it be most of the keys.
        if no_getter:
            print("NOTE: default not compared (add a getter to "
                  "tests/docs/config_keys.cc): " + ", ".join(no_getter),
                  file=sys.stderr)
        self.assertLess(len(no_getter), 6, no_getter)

    def test_every_key_has_an_entry_in_pam_sspr_conf_5_that_names_its_default(self):
        entries = man_entries(self.man, self.keys)
        missing = sorted(set(self.keys) - set(entries))
        self.assertEqual(missing, [], "keys without an entry in pam_sspr.conf(5)")
        wrong = []
        for key, (_, default) in sorted(self.keys.items()):
            if not default or default == "?":
                continue
            text = entries[key]
            # "Default: X", "default X", "defaults to X", "X (global, default)".
            ok = False
            for m in re.finditer(r"default", text, re.I):
                window = text[max(0, m.start() - len(default) - 12):
                              m.end() + 70 + len(default)]
                if default in window or default.replace(", ", " ") in window:
                    ok = True
            if not ok:
                wrong.append(f"{key}: default {default!r} not named in: {text[:300]}")
        self.assertEqual(wrong, [], "\n".join(wrong))

    def test_every_key_is_in_the_shipped_config_with_its_real_default(self):
        with open(self.conf, encoding="utf-8") as f:
            text = f.read()
        lines = shipped_config_lines(self.conf)
        first = {}
        for key, value, comment in lines:
            first.setdefault(key, (value, comment))
        problems = []
        to_canon = []
        for key, (where, default) in sorted(self.keys.items()):
            if where == "module":
                if not re.search(r"\b%s=" % re.escape(key), text):
                    problems.append(f"{key}: module argument not named as {key}=")
                continue
            if key not in first:
                problems.append(f"{key}: no '# {key} = ...' line")
                continue
            value, comment = first[key]
            if default == "?":  # no getter: the parser must take the value
                to_canon.append((key, value))
                continue
            if default == "":
                if value and not re.search(r"no default|empty|unset|not set|none",
                                           comment, re.I):
                    problems.append(f"{key}: no default, but the first line shows "
                                    f"{value!r} and the comment above does not say so")
                continue
            to_canon.append((key, value))
        for key, ok, shown in canon(to_canon):
            default = self.keys[key][1]
            if not ok:
                problems.append(f"{key}: the shipped value is refused: {shown}")
            elif default == "?":
                continue
            elif shown != default:
                problems.append(f"{key}: shipped {shown!r}, compiled default {default!r}")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_no_shipped_text_says_an_existing_feature_is_missing(self):
        hits = []
        for top in SHIPPED:
            path = os.path.join(SRC, top)
            files = [path] if os.path.isfile(path) else [
                os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs]
            for f in files:
                try:
                    with open(f, encoding="utf-8") as fh:
                        body = fh.read()
                except (UnicodeDecodeError, OSError):
                    continue
                flat = re.sub(r"\s+", " ", body.replace("\\-", "-"))
                for pat in MISSING_PHRASES:
                    for m in re.finditer(pat, flat, re.I):
                        rel = os.path.relpath(f, SRC)
                        hits.append(f"{rel}: ...{flat[max(0, m.start() - 60):m.end() + 20]}...")
        self.assertEqual(hits, [], "\n".join(hits))


if __name__ == "__main__":
    KEYS_BIN = sys.argv.pop(1)
    SRC = sys.argv.pop(1)
    unittest.main(verbosity=2)
