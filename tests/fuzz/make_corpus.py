#!/usr/bin/env python3
"""Writes the generated seeds of the fuzz corpus (tests/fuzz/corpus/<target>/):

- csv/sample-<kind>: each file of a small sample company (`forecastle sample`), its header and
  first rows, after the byte that makes the csv target read it as that kind;
- records/sample-*: records of a few sample contracts (and everything they hang on) in the
  records target's text, in kind order and in an order that refers forward;
- services/<name>: the sessions of seeds/services/<name>.txtpb, encoded with protoc.

Hand-written seeds (corpus/*/hand-*, scenario_json/*) are left alone. Run from anywhere after
deploy/build.sh: tests/fuzz/make_corpus.py
"""
import csv
import pathlib
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fuzz/corpus"
KINDS = ["customer", "contract", "line", "progress", "cancellation", "invoice", "payment", "opportunity", "headcount"]
FILES = ["customers", "contracts", "lines", "progress", "cancellations", "invoices", "payments", "opportunities",
         "headcount"]
ROWS = 6


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def sample_company(out):
    subprocess.run([ROOT / "build/client/forecastle", "sample", "--contracts", "8", "--seed", "7", "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    tables = {}
    for kind, name in zip(KINDS, FILES):
        path = pathlib.Path(out) / f"{name}.csv"
        if path.exists():
            text = path.read_text()
            tables[kind] = (text, list(csv.DictReader(text.splitlines())))
    return tables


def as_records(rows):
    return "".join(kind + "\n" + "".join(f"{k}={v}\n" for k, v in row.items() if v) for kind, row in rows)


def main():
    with tempfile.TemporaryDirectory() as out:
        tables = sample_company(out)
    for index, kind in enumerate(KINDS):
        if kind in tables:
            lines = tables[kind][0].splitlines(keepends=True)[: ROWS + 1]
            write(CORPUS / "csv" / f"sample-{kind}", bytes([index]) + "".join(lines).encode())

    # Two contracts with everything that hangs on them: an effort one with progress and a
    # delivery one; their invoices, payments and the opportunities they were won from.
    for contracts in (["CT-000004"], ["CT-000005", "CT-000007"]):
        rows = []
        customers = {r["customer_id"] for r in tables["contract"][1] if r["contract_id"] in contracts}
        invoices = {r["invoice_id"] for r in tables["invoice"][1] if r["contract_id"] in contracts}
        keep = {
            "customer": lambda r: r["customer_id"] in customers,
            "contract": lambda r: r["contract_id"] in contracts,
            "line": lambda r: r["contract_id"] in contracts,
            "progress": lambda r: r["contract_id"] in contracts,
            "cancellation": lambda r: r["contract_id"] in contracts,
            "invoice": lambda r: r["invoice_id"] in invoices,
            "payment": lambda r: r["invoice_id"] in invoices,
            "opportunity": lambda r: r.get("customer_id") in customers,
            "headcount": lambda r: False,  # the team's, not the contracts': hand-every-kind has some
        }
        for kind in KINDS:
            rows += [(kind, r) for r in tables.get(kind, ("", []))[1] if keep[kind](r)]
        name = "-".join(c[-1] for c in contracts)
        write(CORPUS / "records" / f"sample-{name}", as_records(rows).encode())
        write(CORPUS / "records" / f"sample-{name}-reversed", as_records(rows[::-1]).encode())

    for seed in sorted((ROOT / "tests/fuzz/seeds/services").glob("*.txtpb")):
        encoded = subprocess.run(
            ["protoc", f"--proto_path={ROOT / 'tests/fuzz'}", f"--proto_path={ROOT / 'proto'}",
             "--encode=forecastle.fuzz.Session", "fuzz_session.proto"],
            input=seed.read_bytes(), check=True, capture_output=True).stdout
        write(CORPUS / "services" / seed.stem, encoded)


if __name__ == "__main__":
    main()
