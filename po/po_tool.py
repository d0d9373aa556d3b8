#!/usr/bin/env python3
"""Translations of pam_sspr: keep po/pam_sspr.pot and po/<lang>.po right.

  po/po_tool.py update [SRCDIR]  regenerate pam_sspr.pot from the sources
                                 (xgettext) and merge it into each <lang>.po
                                 (msgmerge); then translate what is new or
                                 fuzzy and run `check`.
  po/po_tool.py check [SRCDIR]   fail (exit 1) when pam_sspr.pot is out of
                                 date with the sources, or a <lang>.po of
                                 po/LINGUAS has an untranslated, fuzzy,
                                 missing or extra entry, or a translation
                                 whose {0}-style placeholders, trailing
                                 space or new lines differ from the English.

Strings are marked in the helper's sources with _("..."), N_("...") and
NGettext("one", "many", n); see helper/i18n.h.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

XGETTEXT_ARGS = [
    "--language=C++", "--from-code=UTF-8",
    "--keyword=", "--keyword=_", "--keyword=N_", "--keyword=NGettext:1,2",
    "--add-comments=TRANSLATORS:", "--package-name=pam_sspr",
]
PLACEHOLDER = re.compile(r"\{[0-9]\}")


def sources(srcdir):
    files = glob.glob("helper/**/*.cc", root_dir=srcdir, recursive=True)
    return sorted(files)


def xgettext(srcdir, out):
    subprocess.run(["xgettext", *XGETTEXT_ARGS, "--directory", srcdir,
                    "--output", out, *sources(srcdir)], check=True)


def unquote(s):
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    out, i, body = [], 0, s[1:-1]
    esc = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(esc.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_po(path):
    """Entries as dicts: ctxt, id, plural, strs (list), fuzzy, obsolete."""
    entries, cur, field = [], None, None

    def flush():
        nonlocal cur
        if cur is not None and "id" in cur:
            entries.append(cur)
        cur = None

    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            obsolete = line.startswith("#~")
            if obsolete:
                line = line[2:].lstrip()
            if not line.strip():
                flush()
                continue
            if line.startswith("#"):
                if cur is not None and "id" in cur:
                    flush()
                if cur is None:
                    cur = {"fuzzy": False, "obsolete": False, "strs": {}}
                if line.startswith("#,") and "fuzzy" in line:
                    cur["fuzzy"] = True
                continue
            if cur is None:
                cur = {"fuzzy": False, "obsolete": False, "strs": {}}
            cur["obsolete"] = cur["obsolete"] or obsolete
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(\[\d+\])?)\s+(".*")$',
                         line)
            if m:
                key, text = m.group(1), unquote(m.group(3))
                if key == "msgid" and "id" in cur:
                    flush()
                    cur = {"fuzzy": False, "obsolete": obsolete, "strs": {}}
                field = {"msgctxt": "ctxt", "msgid": "id",
                         "msgid_plural": "plural"}.get(key, key)
                if field.startswith("msgstr"):
                    n = int(m.group(2)[1:-1]) if m.group(2) else 0
                    field = ("str", n)
                    cur["strs"][n] = text
                else:
                    cur[field] = text
            elif line.startswith('"'):
                text = unquote(line)
                if isinstance(field, tuple):
                    cur["strs"][field[1]] += text
                else:
                    cur[field] += text
            else:
                raise SystemExit(f"{path}: cannot parse: {raw!r}")
    flush()
    return entries


def key(e):
    return (e.get("ctxt"), e["id"], e.get("plural"))


def live(entries):
    return {key(e): e for e in entries if not e["obsolete"] and e["id"] != ""}


def check_entry(lang, e):
    problems = []
    name = repr(e["id"][:60])
    strs = [e["strs"].get(i, "") for i in range(max(e["strs"], default=0) + 1)]
    if e["fuzzy"]:
        problems.append(f"{lang}: fuzzy: {name}")
    if not strs or any(s == "" for s in strs):
        problems.append(f"{lang}: untranslated: {name}")
        return problems
    english = [e["id"]] + ([e["plural"]] if e.get("plural") else [])
    allowed = set(PLACEHOLDER.findall("".join(english)))
    want_last = set(PLACEHOLDER.findall(english[-1]))
    for i, s in enumerate(strs):
        got = set(PLACEHOLDER.findall(s))
        if not got <= allowed:
            problems.append(f"{lang}: unknown placeholder in msgstr[{i}]: {name}")
        if e.get("plural") is None and got != allowed:
            problems.append(f"{lang}: placeholders differ: {name}")
        if s.endswith(" ") != english[0].endswith(" "):
            problems.append(f"{lang}: trailing space differs: {name}")
        if s.count("\n") != english[0].count("\n"):
            problems.append(f"{lang}: number of new lines differs: {name}")
    if e.get("plural") is not None and set(PLACEHOLDER.findall(strs[-1])) != want_last:
        problems.append(f"{lang}: placeholders differ in the last plural: {name}")
    return problems


def linguas(podir):
    with open(os.path.join(podir, "LINGUAS")) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def check(srcdir):
    podir = os.path.join(srcdir, "po")
    pot = os.path.join(podir, "pam_sspr.pot")
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "fresh.pot")
        xgettext(srcdir, fresh)
        want = live(parse_po(fresh))
    have = live(parse_po(pot))
    for k in sorted(set(want) - set(have), key=str):
        problems.append(f"pam_sspr.pot: missing (run po/po_tool.py update): {k[1][:60]!r}")
    for k in sorted(set(have) - set(want), key=str):
        problems.append(f"pam_sspr.pot: no longer in the sources (run po/po_tool.py update): {k[1][:60]!r}")
    for lang in linguas(podir):
        path = os.path.join(podir, lang + ".po")
        r = subprocess.run(["msgfmt", "--check", "-o", os.devnull, path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"{lang}: msgfmt --check: {r.stderr.strip()}")
        entries = live(parse_po(path))
        for k in sorted(set(want) - set(entries), key=str):
            problems.append(f"{lang}: missing: {k[1][:60]!r}")
        for k in sorted(set(entries) - set(want), key=str):
            problems.append(f"{lang}: not in the sources: {k[1][:60]!r}")
        for k in sorted(set(entries) & set(want), key=str):
            problems.extend(check_entry(lang, entries[k]))
    for p in problems:
        print(p)
    print(f"{len(want)} messages, languages: {' '.join(linguas(podir))}; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


def update(srcdir):
    podir = os.path.join(srcdir, "po")
    pot = os.path.join(podir, "pam_sspr.pot")
    xgettext(srcdir, pot)
    for lang in linguas(podir):
        subprocess.run(["msgmerge", "--quiet", "--update", "--backup=none",
                        os.path.join(podir, lang + ".po"), pot], check=True)
    return 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("check", "update"):
        print(__doc__)
        return 64
    srcdir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    return check(srcdir) if sys.argv[1] == "check" else update(srcdir)


if __name__ == "__main__":
    sys.exit(main())
