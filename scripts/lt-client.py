#!/usr/bin/env python3
"""language_tool_python (PyPI), pointed at `tifa serve`, gets tifa's findings.

Starts `tifa serve --bind 127.0.0.1:0`, then checks texts through
`language_tool_python.LanguageTool("zh-CN", remote_server=URL)` -- the
client LanguageTool users already have, unchanged (with a remote server it
starts no Java) -- and asserts that the findings come with their
replacements at the right places, astral characters included, that
`utils.correct` gives what `tifa check --fix` writes, and that rules can be
turned off and on by id. Ends with "N passed, M failed"; exit status 1 when
one failed.

    python3 scripts/lt-client.py --tifa target/release/tifa

`.ci/run` installs language_tool_python into a venv and runs this.
"""

import argparse
import subprocess
import sys

import language_tool_python


def start(tifa):
    proc = subprocess.Popen(
        [tifa, "serve", "--bind", "127.0.0.1:0", "--no-config"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline().strip()
    prefix = "tifa serve: listening on "
    if not line.startswith(prefix):
        proc.kill()
        sys.exit(f"unexpected first line from tifa serve: {line!r}")
    return proc, line[len(prefix):]


def fixed_by_cli(tifa, text):
    out = subprocess.run(
        [tifa, "check", "--fix", "--no-config", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode == 2:
        sys.exit(f"tifa check --fix failed: {out.stderr}")
    return out.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tifa", default="target/release/tifa")
    args = parser.parse_args()
    proc, url = start(args.tifa)
    passed, failed = 0, 0

    def check(name, cond, detail=""):
        nonlocal passed, failed
        if cond:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name} {detail}")

    try:
        tool = language_tool_python.LanguageTool("zh-CN", remote_server=url)
        # Astral characters before the findings: LanguageTool counts UTF-16
        # units, which the client turns back into Python's code points.
        text = "𠮷𠮷 全面推行“两队一所”改革😀，坚持省级主责、市县主战、派出所主防。\n深化专业＋机制＋大数据。"
        matches = tool.check(text)
        check("findings", len(matches) >= 2, repr(matches))
        wrong = [m for m in matches if m.rule_id == "TIFA_WRONG_FORM"]
        check("a wrong form is found", len(wrong) == 1, repr(matches))
        if wrong:
            m = wrong[0]
            check(
                "at its place",
                text[m.offset : m.offset + m.error_length] == "两队一所",
                f"{m.offset} {m.error_length}",
            )
            check("with its replacement", m.replacements == ["两队一室"], repr(m.replacements))
            check("and a message", "两队一室" in m.message, m.message)
            check("in tifa's category", m.category == "TIFA", m.category)
        check(
            "every rule id is tifa's",
            all(m.rule_id.startswith("TIFA_") for m in matches),
            repr([m.rule_id for m in matches]),
        )
        corrected = language_tool_python.utils.correct(text, matches)
        check(
            "correct() gives what tifa check --fix writes",
            corrected == fixed_by_cli(args.tifa, text),
            repr(corrected),
        )

        tool.disabled_rules = {"TIFA_WRONG_FORM"}
        after = tool.check(text)
        check(
            "disabledRules turns a rule off",
            len(after) == len(matches) - 1
            and all(m.rule_id != "TIFA_WRONG_FORM" for m in after),
            repr(after),
        )
        tool.disabled_rules = set()
        tool.enabled_rules = {"TIFA_WRONG_FORM"}
        tool.enabled_rules_only = True
        only = tool.check(text)
        check(
            "enabledOnly keeps only the enabled rules",
            [m.rule_id for m in only] == ["TIFA_WRONG_FORM"],
            repr(only),
        )
        tool.enabled_rules = set()
        tool.enabled_rules_only = False
        check("a clean text has no finding", tool.check("今天天气很好。") == [])
        tool.close()
    finally:
        proc.kill()
        proc.wait()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
