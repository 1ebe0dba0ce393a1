#!/usr/bin/env python3
"""`forecastle actuals|forecast|compare|backtest --plot FILE.svg` against a live server: each chart
is well-formed SVG with the expected panels (titled in words) and series, the forecast's fans
start at the last actual with the as-of marked there, the backtest has its coverage and PIT
panels per metric, and Debian's headless Chromium renders each to a screenshot that is not blank
(many colours, most of it white, the plot colours present).

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
    """{panel title: (bands, lines)} by their data-name, in document order."""
    return {title: (bands, lines) for title, (_, bands, lines) in panel_elements(svg).items()}


def panel_elements(svg: Path):
    """{panel title: (metric, band names, line names)}."""
    root = ET.parse(svg).getroot()  # raises on malformed XML
    assert root.tag == f"{SVG}svg", root.tag
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "panel":
            paths = list(g.iter(f"{SVG}path"))
            out[g.get("data-title")] = (g.get("data-metric"),
                                        [p.get("data-name") for p in paths if p.get("class") == "band"],
                                        [p.get("data-name") for p in paths if p.get("class") == "line"])
    return out


def panel_groups(svg: Path):
    """{panel title: its <g> element}."""
    return {g.get("data-title"): g for g in ET.parse(svg).getroot().iter(f"{SVG}g") if g.get("class") == "panel"}


def points(g, kind: str, name: str):
    """The (x, y) points of the <path class=kind data-name=name> of panel g."""
    for p in g.iter(f"{SVG}path"):
        if p.get("class") == kind and p.get("data-name") == name:
            return [(float(x), float(y)) for x, y in re.findall(r"[ML]([-0-9.]+),([-0-9.]+)", p.get("d"))]
    raise AssertionError(f"no {kind} {name}")


def as_of_x(g):
    lines = [e for e in g.iter(f"{SVG}line") if e.get("class") == "as-of"]
    assert len(lines) == 1, f"{g.get('data-title')}: {len(lines)} as-of lines"
    assert lines[0].get("x1") == lines[0].get("x2"), "the as-of line is not vertical"
    return float(lines[0].get("x1")), lines[0].get("data-month")


def count(g, tag: str, cls: str, name: str = None):
    return sum(1 for e in g.iter(f"{SVG}{tag}") if e.get("class") == cls and (name is None or e.get("data-name") == name))


def check_forecast_continues_actuals(svg: Path, titles) -> None:
    """Every panel marks the as-of at 2026-10; where there is history, the history ends there and
    the P50 and the band start from that very point."""
    groups = panel_groups(svg)
    for title in titles:
        g = groups[title]
        x, month = as_of_x(g)
        assert month == AS_OF[:7], (title, month)
        actual, median, band = points(g, "line", "actual"), points(g, "line", "P50"), points(g, "band", "P10-P90")
        assert actual[-1][0] == x, (title, actual[-1], x)
        assert median[0] == actual[-1], (title, median[0], actual[-1])
        assert band[0] == actual[-1] and band[-1] == actual[-1], (title, band[0], band[-1], actual[-1])


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
            assert actuals["Revenue per period (currency units)"] == ([], ["company"]), actuals

            run("forecast", "--as-of", AS_OF, "--horizon", "12", "--paths", "2000", "--plot", str(tmp / "f.svg"))
            forecast = panel_elements(tmp / "f.svg")
            assert len(forecast) == 13, forecast.keys()
            # Titles in words with units, one per metric.
            assert forecast["Revenue per month (currency units)"][0] == "revenue"
            assert forecast["Backlog at month end (currency units)"][0] == "backlog"
            assert forecast["Work backlog at month end (hours)"][0] == "work_backlog_hours"
            assert forecast["Utilisation (%)"][0] == "utilization"
            assert forecast["Headcount (FTE)"][0] == "headcount"
            assert not any("_" in title for title in forecast), forecast.keys()
            # Metrics with exact history: the actuals line, then the fan from its last point (the
            # money metrics, and capacity, utilisation and headcount: the sample company records
            # its headcount); the others the fan only, and a note that says why.
            assert forecast["Revenue per month (currency units)"][1:] == (["P10-P90"], ["actual", "P50"])
            assert forecast["Headcount (FTE)"][1:] == (["P10-P90"], ["actual", "P50"])
            with_history = [t for t, (m, _, lines) in forecast.items() if "actual" in lines]
            assert len(with_history) == 11, with_history
            check_forecast_continues_actuals(tmp / "f.svg", with_history)
            work = panel_groups(tmp / "f.svg")["Work backlog at month end (hours)"]
            assert as_of_x(work)[1] == "2026-10"
            notes = [t.text for t in work.iter(f"{SVG}text") if t.get("class") == "note"]
            assert notes and "no actuals" in notes[0], notes
            assert points(work, "line", "P50")[0][0] > as_of_x(work)[0]  # nothing invented at the as-of

            run("forecast", "--as-of", AS_OF, "--horizon", "6", "--paths", "500", "--quantiles", "0.05,0.5,0.95",
                "--plot-metrics", "revenue,backlog", "--plot", str(tmp / "f2.svg"))
            assert panels(tmp / "f2.svg") == {"Revenue per month (currency units)": (["P5-P95"], ["actual", "P50"]),
                                              "Backlog at month end (currency units)": (["P5-P95"], ["actual", "P50"])}

            run("compare", "default", "hire", "--as-of", AS_OF, "--horizon", "12", "--paths", "1000",
                "--plot", str(tmp / "c.svg"))
            compare = panels(tmp / "c.svg")
            assert len(compare) == 12, compare.keys()  # 6 metrics x (fans, difference)
            assert compare["Delivery cost per month (currency units)"] == (["P10-P90 default", "P10-P90 hire"],
                                                                           ["P50 default", "P50 hire"])
            assert compare["Delivery cost per month: variant - base (currency units)"] == (["P10-P90 hire - base"],
                                                                                          ["P50 hire - base"])
            assert compare["Revenue per month (currency units)"][1] == ["actual", "P50 default", "P50 hire"]
            for g in panel_groups(tmp / "c.svg").values():
                assert as_of_x(g)[1] == "2026-10", g.get("data-title")

            run("backtest", "--from", "2025-07", "--to", "2025-10", "--step", "3", "--horizon", "4", "--paths", "200",
                "--plot-metrics", "revenue,backlog,bookings", "--plot", str(tmp / "b.svg"))
            backtest = panel_groups(tmp / "b.svg")
            assert list(backtest) == [f"{m}: {what}" for m in ("Revenue", "Backlog", "Bookings")
                                      for what in ("coverage by horizon month", "PIT histogram")], list(backtest)
            for metric in ("Revenue", "Backlog", "Bookings"):
                coverage, pit = backtest[f"{metric}: coverage by horizon month"], backtest[f"{metric}: PIT histogram"]
                assert count(coverage, "circle", "point", "P10-P90 coverage") == 4, metric
                assert count(coverage, "circle", "point", "P25-P75 coverage") == 4, metric
                assert count(coverage, "rect", "reference", "P10-P90 target 70-90%") == 1, metric
                assert count(coverage, "rect", "reference", "P25-P75 target 40-60%") == 1, metric
                assert count(pit, "line", "reference", "flat 10% (calibrated)") == 1, metric
                bars = count(pit, "rect", "bar")
                assert 1 <= bars <= 10, (metric, bars)  # one per bin that holds an actual
                assert count(coverage, "line", "as-of") == 0
            # A metric the backtest does not score is refused before any work.
            bad = subprocess.run([cli, "backtest", "--server", address, "--from", "2025-07", "--plot-metrics",
                                  "headcount", "--plot", str(tmp / "b2.svg")], capture_output=True, text=True)
            assert bad.returncode == 2 and "--plot-metrics: headcount" in bad.stderr, bad.stderr
            assert not (tmp / "b2.svg").exists()

            # A bad metric or folder is refused before any work, naming the flag.
            bad = subprocess.run([cli, "forecast", "--server", address, "--plot-metrics", "profit", "--plot", "x.svg"],
                                 capture_output=True, text=True)
            assert bad.returncode == 2 and "--plot-metrics" in bad.stderr, bad.stderr
            bad = subprocess.run([cli, "forecast", "--server", address, "--plot", str(tmp / "no/such/f.svg")],
                                 capture_output=True, text=True)
            assert bad.returncode == 2 and "no such folder" in bad.stderr, bad.stderr

            for name, fan in (("a.svg", False), ("f.svg", True), ("c.svg", True), ("b.svg", True)):
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
