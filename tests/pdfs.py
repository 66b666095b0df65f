"""A tiny PDF writer for tests and benchmarks: pages of Helvetica lines, or a scan-like page
(a grey picture, no text layer). Enough for pdfium and pdf.js; not a general PDF library."""

from __future__ import annotations

SCAN = None  # a page given as SCAN has only a drawn image, no text


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(lines: list[str] | None) -> bytes:
    if lines is None:
        # A filled grey rectangle with a few darker bars: what a scanned page looks like to a
        # text extractor (marks, no characters).
        bars = "".join(f"0.3 g 72 {700 - 20 * i} 400 8 re f\n" for i in range(20))
        return f"0.9 g 36 36 540 720 re f\n{bars}".encode()
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
    for line in lines:
        ops.append(f"({_escape(line)}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def make_pdf(pages: list[list[str] | None]) -> bytes:
    """A PDF whose page i shows the lines pages[i] (None: a scan-like page without text)."""
    objects: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for i, lines in enumerate(pages):
        content = _content(lines)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# The known document of the tests: a sentence on page 2, a hyphenated line break on page 3,
# a scan-like page 4 without text.
KNOWN_PAGES: list[list[str] | None] = [
    ["Participation of young people in services", "An introduction to the study."],
    ["Methods were agreed with the advisory group.", "Young people chose the questions."],
    [
        "The findings show that participa-",
        "tion depends on trusted workers.",
        "Participation grew.",
    ],
    SCAN,
]


def known_pdf() -> bytes:
    return make_pdf(KNOWN_PAGES)
