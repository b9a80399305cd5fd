#!/usr/bin/env python3
"""What an editor does in LibreOffice with a document `tifa review` wrote,
driven over UNO (run by tests/it/review.rs):

    /usr/bin/python3 scripts/libreoffice-review.py accept IN.docx OUT.docx
    /usr/bin/python3 scripts/libreoffice-review.py pdf IN.docx OUT.pdf

`accept` runs Edit ▸ Track Changes ▸ Accept All and saves the result as
Word 2007-365 (.docx); it fails when a tracked change is left. `pdf`
exports to PDF with the comments (as PDF notes, and in the margin where
LibreOffice's PDF export has "Comments in margin").

Exit status 3 when LibreOffice itself stops while opening the document
(LibreOffice 7.4's headless build aborts opening a document with comments
over UNO). Needs LibreOffice (`libreoffice-writer-nogui`) and its Python
bridge (`python3-uno`, for Debian's /usr/bin/python3).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def connect(work: str):
    """Starts a headless LibreOffice with its own profile; returns the
    process and its desktop."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    office = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--norestore",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Headless with the plain software backend: with the default one,
        # LibreOffice 7.4 crashes opening a document with comments in a
        # view.
        env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"},
    )
    import uno  # noqa: PLC0415 — only Debian's Python has it

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(240):
        try:
            ctx = resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
            )
            desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
            return office, ctx, desktop
        except Exception:  # noqa: BLE001 — not up yet
            if office.poll() is not None:
                break
            time.sleep(0.5)
    office.terminate()
    raise SystemExit("LibreOffice did not start")


def prop(name: str, value):
    import uno  # noqa: PLC0415
    from com.sun.star.beans import PropertyValue  # noqa: PLC0415

    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] not in ("pdf", "accept"):
        print(__doc__, file=sys.stderr)
        return 2
    what, source, target = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    work = tempfile.mkdtemp(prefix="tifa-lo-review-")
    office = None
    try:
        office, ctx, desktop = connect(work)
        import uno  # noqa: PLC0415

        # A copy is opened, so that LibreOffice's lock file is not left
        # beside the input.
        copy = os.path.join(work, "in" + os.path.splitext(source)[1])
        shutil.copyfile(source, copy)
        try:
            doc = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(copy), "_blank", 0, (prop("Hidden", True),)
            )
        except Exception as e:  # noqa: BLE001 — the office process died
            try:
                office.wait(timeout=15)
            except subprocess.TimeoutExpired:
                raise e from None
            print(f"{source}: LibreOffice stopped opening it ({e})", file=sys.stderr)
            return 3
        if doc is None:
            print(f"{source}: LibreOffice cannot open it", file=sys.stderr)
            return 1
        if what == "pdf":
            data = uno.Any(
                "[]com.sun.star.beans.PropertyValue",
                (prop("ExportNotes", True), prop("ExportNotesInMargin", True)),
            )
            uno.invoke(
                doc,
                "storeToURL",
                (
                    uno.systemPathToFileUrl(target),
                    (prop("FilterName", "writer_pdf_Export"), prop("FilterData", data)),
                ),
            )
        else:
            dispatcher = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.DispatchHelper", ctx
            )
            frame = doc.getCurrentController().getFrame()
            dispatcher.executeDispatch(frame, ".uno:AcceptAllTrackedChanges", "", 0, ())
            left = doc.getRedlines().createEnumeration().hasMoreElements()
            if left:
                print(f"{source}: tracked changes left after Accept All", file=sys.stderr)
                return 1
            doc.storeToURL(
                uno.systemPathToFileUrl(target),
                (prop("FilterName", "MS Word 2007 XML"),),
            )
        doc.close(True)
        return 0
    finally:
        if office is not None:
            office.terminate()
            try:
                office.wait(timeout=30)
            except subprocess.TimeoutExpired:
                office.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
