#!/usr/bin/env python3
"""`forecastle actuals|forecast|compare --plot FILE.svg` against a live server: each chart is
well-formed SVG with the expected panels and series, and Debian's headless Chromium renders it to
a screenshot that is not blank (many colours, most of it white, the plot colours present).

Usage: charts_test.py SERVER_BIN CLI_BIN
"""
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = "2026-10-31"


def decode_png(data: bytes):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def screenshot(svg: Path, png: Path, width: int, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed (apt-get install chromium)"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--no-first-run", "--no-default-browser-check", f"--user-data-dir={png.parent / 'profile'}",
                    f"--screenshot={png}", f"--window-size={width},{height}", svg.as_uri()],
                   check=True, capture_output=True, timeout=120)


def check_rendering(svg: Path, forecast_colour: bool) -> None:
    root = ET.parse(svg).getroot()
    width, height = int(float(root.get("width"))), int(float(root.get("height")))
    png = svg.with_suffix(".png")
    screenshot(svg, png, width, height)
    w, h, rows = decode_png(png.read_bytes())
    pixels = [p for row in rows[::2] for p in row[::2]]
    colours = set(pixels)
    white = sum(1 for p in pixels if p == (255, 255, 255)) / len(pixels)
    assert len(colours) > 50, f"{png}: only {len(colours)} colours: blank?"
    assert 0.3 < white < 0.98, f"{png}: {white:.0%} white"
    # The forecast blue (#0072B2) or something near it is drawn.
    assert not forecast_colour or any(abs(r - 0x00) < 40 and abs(g - 0x72) < 40 and abs(b - 0xB2) < 40 for r, g, b in pixels), png
    print(f"{svg.name}: {w}x{h} screenshot, {len(colours)} colours, {white:.0%} white")


def panels(svg: Path):
    root = ET.parse(svg).getroot()  # raises on malformed XML
    assert root.tag == f"{SVG}svg", root.tag
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "panel":
            paths = list(g.iter(f"{SVG}path"))
            out[g.get("data-title")] = ([p.get("data-name") for p in paths if p.get("class") == "band"],
                                        [p.get("data-name") for p in paths if p.get("class") == "line"])
    return out


def main(server_bin: str, cli: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        server = subprocess.Popen([server_bin, "--listen=127.0.0.1:0", f"--db={tmp}/c.db"], stdout=subprocess.PIPE,
                                  text=True)
        try:
            match = re.search(r"listening on (\S+)", server.stdout.readline())
            assert match, "server did not start"
            address = match.group(1)

            def run(*args: str) -> None:
                subprocess.run([cli, *args, "--server", address], check=True, stdout=subprocess.DEVNULL)

            subprocess.run([cli, "sample", "--out", str(tmp / "sample"), "--contracts", "400"], check=True,
                           stdout=subprocess.DEVNULL)
            run("import", str(tmp / "sample"))
            run("scenario", "create", "hire", "--file", str(write_hire(tmp)))

            run("actuals", "--from", "2025-11", "--to", "2026-10", "--as-of", AS_OF, "--plot", str(tmp / "a.svg"))
            actuals = panels(tmp / "a.svg")
            assert len(actuals) == 9, actuals.keys()
            assert actuals["revenue"] == ([], ["company"]), actuals["revenue"]

            run("forecast", "--as-of", AS_OF, "--horizon", "12", "--paths", "2000", "--plot", str(tmp / "f.svg"))
            forecast = panels(tmp / "f.svg")
            assert len(forecast) == 13, forecast.keys()
            # Metrics with exact history: the actuals line, then the fan; the others the fan only.
            assert forecast["revenue"] == (["P10-P90"], ["actual", "P50"]), forecast["revenue"]
            assert forecast["headcount"] == (["P10-P90"], ["P50"]), forecast["headcount"]

            run("forecast", "--as-of", AS_OF, "--horizon", "6", "--paths", "500", "--quantiles", "0.05,0.5,0.95",
                "--plot-metrics", "revenue,backlog", "--plot", str(tmp / "f2.svg"))
            assert panels(tmp / "f2.svg") == {"revenue": (["P5-P95"], ["actual", "P50"]),
                                              "backlog": (["P5-P95"], ["actual", "P50"])}

            run("compare", "default", "hire", "--as-of", AS_OF, "--horizon", "12", "--paths", "1000",
                "--plot", str(tmp / "c.svg"))
            compare = panels(tmp / "c.svg")
            assert len(compare) == 12, compare.keys()  # 6 metrics x (fans, difference)
            assert compare["delivery_cost"] == (["P10-P90 default", "P10-P90 hire"], ["P50 default", "P50 hire"])
            assert compare["delivery_cost: variant - base"] == (["P10-P90 hire - base"], ["P50 hire - base"])

            # A bad metric or folder is refused before any work, naming the flag.
            bad = subprocess.run([cli, "forecast", "--server", address, "--plot-metrics", "profit", "--plot", "x.svg"],
                                 capture_output=True, text=True)
            assert bad.returncode == 2 and "--plot-metrics" in bad.stderr, bad.stderr
            bad = subprocess.run([cli, "forecast", "--server", address, "--plot", str(tmp / "no/such/f.svg")],
                                 capture_output=True, text=True)
            assert bad.returncode == 2 and "no such folder" in bad.stderr, bad.stderr

            for name, fan in (("a.svg", False), ("f.svg", True), ("c.svg", True)):
                check_rendering(tmp / name, fan)
            print("charts: well-formed, expected panels and series, rendered by Chromium")
            return 0
        finally:
            server.terminate()
            server.wait(timeout=30)


def write_hire(tmp: Path) -> Path:
    path = tmp / "hire.json"
    path.write_text('{"name": "hire", "hiringPlan": [{"team": "delivery", "month": "2026-11", "count": 10}]}')
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
