#!/usr/bin/env python3
"""LibreOffice's own LanguageTool client — the grammar checker Writer uses
when Tools ▸ Options ▸ Language Settings ▸ LanguageTool is enabled with a
base URL — pointed at `tifa serve`, driven over UNO (run by .ci/run):

    /usr/bin/python3 scripts/libreoffice-lt.py target/release/tifa

Needs LibreOffice (`libreoffice-writer-nogui`) and its Python bridge
(`python3-uno`, for Debian's /usr/bin/python3). The profile written here
sets exactly what the README tells a user to set in the dialog: "Enable
LanguageTool" and "Base URL" (`http://127.0.0.1:PORT/v2`). Exits non-zero
when LibreOffice does not get tifa's findings with their suggestions at
the right places (UTF-16 offsets, an astral character before the span).
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time


def main() -> int:
    tifa = sys.argv[1] if len(sys.argv) > 1 else "target/release/tifa"
    work = tempfile.mkdtemp(prefix="tifa-lo-")
    server = subprocess.Popen(
        [tifa, "--no-config", "serve", "--bind", "127.0.0.1:0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    office = None
    try:
        found = re.search(r"http://[0-9.:]+", server.stderr.readline())
        if not found:
            print("tifa serve did not say where it listens", file=sys.stderr)
            return 1
        url = found.group(0)
        user = os.path.join(work, "profile", "user")
        os.makedirs(user)
        path = "/org.openoffice.Office.Linguistic/GrammarChecking/LanguageTool"
        with open(os.path.join(user, "registrymodifications.xcu"), "w", encoding="utf-8") as f:
            f.write(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema">\n'
                f'<item oor:path="{path}"><prop oor:name="BaseURL" oor:op="fuse">'
                f"<value>{url}/v2</value></prop></item>\n"
                f'<item oor:path="{path}"><prop oor:name="IsEnabled" oor:op="fuse">'
                "<value>true</value></prop></item>\n"
                "</oor:items>\n"
            )
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        office = subprocess.Popen(
            [
                "soffice",
                f"-env:UserInstallation=file://{work}/profile",
                "--headless",
                "--invisible",
                "--norestore",
                f"--accept=socket,host=127.0.0.1,port={port};urp;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import uno  # noqa: PLC0415 — only Debian's Python has it
        from com.sun.star.lang import Locale  # noqa: PLC0415

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve(
                    f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
                )
                break
            except Exception:  # noqa: BLE001 — not up yet
                time.sleep(0.5)
        if ctx is None:
            print("LibreOffice did not start", file=sys.stderr)
            return 1
        checker = ctx.ServiceManager.createInstanceWithContext(
            "org.openoffice.lingu.LanguageToolGrammarChecker", ctx
        )
        zh = Locale("zh", "CN", "")
        failures = []
        if not checker.hasLocale(zh):
            failures.append("LibreOffice does not offer zh-CN from tifa's /v2/languages")
        # An astral character (two UTF-16 units) before the first span.
        text = "𠀋我们坚持两队一所改革，落实一标三实，深化专业＋机制＋大数据。"
        units = text.encode("utf-16-le")
        result = checker.doProofreading("tifa-test", text, zh, 0, len(units) // 2, ())
        got = []
        for e in result.aErrors:
            span = units[2 * e.nErrorStart : 2 * (e.nErrorStart + e.nErrorLength)].decode("utf-16-le")
            got.append((span, list(e.aSuggestions), e.aFullComment))
            print(f"LibreOffice: {e.nErrorStart}+{e.nErrorLength} {span!r} → {list(e.aSuggestions)}: {e.aFullComment}")
        want = {("两队一所", "两队一室"), ("专业＋机制＋大数据", "专业+机制+大数据")}
        have = {(span, sugg[0]) for span, sugg, _ in got if sugg}
        for w in sorted(want - have):
            failures.append(f"missing finding {w}")
        for f in failures:
            print(f"FAILED: {f}", file=sys.stderr)
        print(f"{len(got)} findings from LibreOffice's LanguageTool client, {len(failures)} failures")
        return 1 if failures else 0
    finally:
        if office is not None:
            office.terminate()
        server.terminate()


if __name__ == "__main__":
    sys.exit(main())
