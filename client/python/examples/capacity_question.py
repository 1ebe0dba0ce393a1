#!/usr/bin/env python3
"""The planning tool's question: with today's backlog, pipeline and team, when does the delivery
backlog clear, and how likely is a strain (work backlog above 3 months of capacity) each month?

    python3 capacity_question.py --server 127.0.0.1:50051 --as-of 2026-10-31 [--ca ca.crt] [--scenario NAME]
"""
import argparse
import datetime
import sys

import forecastle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--ca", help="TLS: trust this PEM CA file (default $FORECASTLE_CA; unset: plaintext)")
    parser.add_argument("--cert", help="TLS client certificate, for a server that requires one ($FORECASTLE_CERT)")
    parser.add_argument("--key", help="its private key ($FORECASTLE_KEY)")
    parser.add_argument("--as-of", default=datetime.date.today().isoformat())
    parser.add_argument("--scenario", default="", help="a stored scenario ('' = the defaults)")
    parser.add_argument("--paths", type=int, default=20000)
    parser.add_argument("--horizon", type=int, default=24)
    args = parser.parse_args()

    def progress(p: forecastle.Progress) -> None:
        print(f"\r{p.paths_done}/{p.paths_total} paths", end="", file=sys.stderr, flush=True)

    with forecastle.Client(args.server, ca=args.ca, cert=args.cert, key=args.key) as client:
        fc = client.forecast(args.scenario, as_of=args.as_of, horizon=args.horizon, paths=args.paths, seed=7,
                             strain_months=3, progress=progress)
    print(file=sys.stderr)
    clear = fc.months_to_clear
    print(f"work backlog clears within {args.horizon} months with probability {fc.clear_probability:.1%}")
    print(f"months until it clears: P10 {clear.p10:.0f}, P50 {clear.p50:.0f}, P90 {clear.p90:.0f}"
          f" (a value of {args.horizon + 1} means not within the horizon)")
    print("month    work backlog P50 (h)  capacity P50 (h)  P(strain)")
    for month, work, capacity, strain in zip(fc.months(), fc.metrics["work_backlog_hours"],
                                             fc.metrics["capacity_hours"], fc.strain_probability):
        print(f"{month:%Y-%m}  {work.p50:20,.0f}  {capacity.p50:16,.0f}  {strain:9.1%}")


if __name__ == "__main__":
    main()
