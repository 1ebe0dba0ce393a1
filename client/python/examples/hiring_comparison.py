#!/usr/bin/env python3
"""The executive's question: hire 5 engineers now, or 10 next quarter?

Stores the two hiring plans as scenarios, compares them on common random numbers (the same draws
for the same deal, team and invoice in both), and prints, month by month, plan B minus plan A with
its P10/P50/P90 and the probability that plan B comes out higher.

    python3 hiring_comparison.py --server 127.0.0.1:50051 --as-of 2026-10-31 [--ca ca.crt]
"""
import argparse
import datetime

import forecastle


def next_month(month: datetime.date, n: int) -> str:
    index = month.year * 12 + month.month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--ca", help="TLS: trust this PEM CA file (default $FORECASTLE_CA; unset: plaintext)")
    parser.add_argument("--cert", help="TLS client certificate, for a server that requires one ($FORECASTLE_CERT)")
    parser.add_argument("--key", help="its private key ($FORECASTLE_KEY)")
    parser.add_argument("--as-of", default=datetime.date.today().isoformat())
    parser.add_argument("--team", default="delivery", help="the team that hires")
    parser.add_argument("--paths", type=int, default=20000)
    parser.add_argument("--horizon", type=int, default=12)
    args = parser.parse_args()
    as_of = datetime.date.fromisoformat(args.as_of)
    with forecastle.Client(args.server, ca=args.ca, cert=args.cert, key=args.key) as client:
        plans = {"plan_a_hire5_now": [{"team": args.team, "month": next_month(as_of, 1), "count": 5}],
                 "plan_b_hire10_next_quarter": [{"team": args.team, "month": next_month(as_of, 3), "count": 10}]}
        for name, hires in plans.items():
            scenario = {"name": name, "description": f"hiring plan: {hires}", "hiringPlan": hires}
            try:
                client.create_scenario(scenario)
            except forecastle.ForecastleError as error:
                if error.code.name != "ALREADY_EXISTS":
                    raise
                client.update_scenario(scenario)
        a, b = plans
        comparison = client.compare(a, [b], as_of=as_of, horizon=args.horizon, paths=args.paths, seed=7)
        variant = comparison.variants[b]
        print(f"{b} - {a}, {comparison.base.paths} paths on common random numbers")
        for metric in ("revenue", "work_backlog_hours", "collections", "utilization", "delivery_cost"):
            print(f"\n{metric}: month, P10, P50, P90 of the difference, P(plan B higher)")
            fmt = ".3f" if metric == "utilization" else ",.0f"
            for month, difference, higher in zip(comparison.base.months(), variant.difference[metric],
                                                 variant.probability_higher[metric]):
                print(f"  {month:%Y-%m} {difference.p10:14{fmt}} {difference.p50:14{fmt}} {difference.p90:14{fmt}}"
                      f"   {higher:5.1%}")


if __name__ == "__main__":
    main()
