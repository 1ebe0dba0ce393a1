#!/usr/bin/env python3
"""The forecast model of SPEC §4 in vectorised numpy: the readable statement of what the drivers
of engine/forecast/ (pipeline, arrivals, renewals, booking, delivery, cash) compute, kept
independent of them, and the peer forecastle's speed is measured against (bench/README.md).
Bookings without an opportunity (direct_sales) are not in the standard scenario and not here.

It reads the standard scenario's inputs and forecastle's own one-core run of them from
build/bench/forecast_peer, simulates the same number of paths (all paths at once, in chunks),
checks that every metric's monthly mean agrees with forecastle's within 4 combined standard
errors (so the comparison is of the same model), and reports both speeds per core.

    build/bench/forecast_peer /tmp/peer.json --paths 20000 --runs 3
    OMP_NUM_THREADS=1 /usr/bin/python3 tests/reference/peer_numpy.py /tmp/peer.json --runs 3

Random numbers come from numpy's PCG64, not Philox: the two runs are independent samples of
the same distributions, which is what the 4-standard-error check compares.
"""
import argparse
import json
import math
import sys
import time

import numpy as np

METRICS = ["bookings", "revenue", "billings", "collections", "backlog", "unbilled_backlog", "deferred_revenue",
           "accounts_receivable", "work_backlog_hours", "capacity_hours", "utilization", "headcount", "delivery_cost"]
ANNUAL, QUARTERLY, MONTHLY, ARREARS, ON_DELIVERY = range(5)


class Paths:
    """The month-by-month flows of n paths, and invoices turned into cash."""

    def __init__(self, inp, n, rng):
        self.inp, self.n, self.rng = inp, n, rng
        self.h = h = inp["horizon"]
        self.delays = np.array(inp["delay_months"], dtype=np.int64)
        self.delay_cdf = np.cumsum(inp["delay_shares"])
        self.bad = inp["bad_debt_rate"]
        shape = (n, h)
        self.bookings = np.zeros(shape)
        self.revenue = np.tile(np.array(inp["scheduled_revenue"]), (n, 1))
        self.billings = np.tile(np.array(inp["scheduled_billing"]), (n, 1))
        self.ratable_step = np.zeros((n, h + 1))
        # Scheduled billing collects by the delay mix's expected split; a bad debt is never
        # collected and stays receivable (the ledger records no write-offs).
        collections = np.zeros(h)
        shares = np.array(inp["delay_shares"])

        def collect(month, amount):
            for delay, share in zip(self.delays, shares):
                paid = max(0, month + delay)
                if paid < h:
                    collections[paid] += amount * share * (1 - self.bad)
        for m in range(h):
            collect(m, inp["scheduled_billing"][m])
        # Receivables open at as-of: what is still open is collected at its age bucket's monthly
        # share, the bucket it is in that month (from its bucket's typical age at as-of). (The
        # engine also moves each month's collection of them by a normal draw, taken from or
        # given to the later months: its means are these.)
        buckets = [30, 60, 90, 180]  # upper bounds of the first four, in days past issue
        for typical, open_amount in zip([15, 45, 75, 135, 270], inp["receivables_by_age"]):
            for m in range(h):
                age = int(typical + 30.4375 * (m + 0.5))
                share = inp["collection_by_age"][sum(age > b for b in buckets)]
                collections[m] += open_amount * share
                open_amount -= open_amount * share
        self.collections = np.tile(collections, (n, 1))
        self.invoices = []

    def add(self, target, path, month, amount):
        """target[path, month] += amount for months inside the horizon (repeated cells add up)."""
        keep = (month < self.h) & (month >= 0)
        if keep.any():
            target += np.bincount(path[keep] * self.h + month[keep], weights=amount[keep],
                                  minlength=self.n * self.h).reshape(self.n, self.h)

    def bill(self, path, month, amount):
        """Invoices: billed in `month`; collected all at once by settle()."""
        keep = (month < self.h) & (amount != 0)
        self.invoices.append((path[keep], np.asarray(month)[keep], amount[keep]))

    def settle(self):
        """Every invoice is paid after a delay from the mix, or written off."""
        if not self.invoices:
            return
        path, month, amount = (np.concatenate(parts) for parts in zip(*self.invoices))
        self.invoices = []
        self.add(self.billings, path, month, amount)
        u = self.rng.random(len(path))
        bad = u < self.bad
        pick = np.where(bad, u / max(self.bad, 1e-300), (u - self.bad) / (1 - self.bad))
        delay = self.delays[np.minimum(np.searchsorted(self.delay_cdf, pick, side="right"), len(self.delays) - 1)]
        paid = month + delay
        self.add(self.collections, path[~bad], paid[~bad], amount[~bad])


def lognormal(rng, size, mean, sigma):
    """exp(mu + sigma Z) with E = mean."""
    return mean * np.exp(sigma * rng.standard_normal(size) - sigma * sigma / 2)


def add_deals(p, deals, work):
    """Won deals (arrays of equal length) become bookings, lines, invoices and work items."""
    inp, rng, h = p.inp, p.rng, p.h
    products = inp["products"]
    month, keep = deals["month"], deals["month"] < h
    deals = {k: v[keep] for k, v in deals.items()}
    p.add(p.bookings, deals["path"], deals["month"], deals["size"])
    # Service or work starts lead_time_months after the sale's day: in month `start`, after
    # `day` of it.
    begins = deals["start_fraction"] + np.array([q["lead_time_months"] for q in products])[deals["product"]]
    start = deals["month"] + np.floor(begins).astype(np.int64)
    day = begins - np.floor(begins)
    kind = np.array([q["kind"] for q in products])[deals["product"]]
    billing = np.array([q["billing"] for q in products])[deals["product"]]
    prob, uplift = inp["renewal_probability"], inp["renewal_uplift"]

    # Ratable lines and, while within the horizon, their renewals.
    r = kind == "ratable"
    path, first, amount = deals["path"][r], start[r], deals["size"][r]
    term, terms, cohort = deals["term"][r], billing[r], deals["cohort_squared"][r]
    late = day[r]  # the share of the first month before the service starts
    while len(path):
        inside = first < h
        path, first, amount, term, terms, cohort, late = (
            a[inside] for a in (path, first, amount, term, terms, cohort, late))
        if not len(path):
            break
        per_month = amount / term
        cells = p.n * (h + 1)
        # 1 - late of a month in the first month, whole months, late in the month after the term.
        for at, weight in ((first, 1 - late), (first + 1, late), (first + term, late - 1), (first + term + 1, -late)):
            p.ratable_step += np.bincount(path * (h + 1) + np.minimum(h, at), weights=per_month * weight,
                                          minlength=cells).reshape(p.n, h + 1)
        for terms_kind, period in ((ANNUAL, 12), (QUARTERLY, 3), (MONTHLY, 1)):
            sel = terms == terms_kind
            for k in range(0, int(term[sel].max()) if sel.any() else 0, period):
                s = sel & (k < term)
                p.bill(path[s], first[s] + k, per_month[s] * np.minimum(period, term[s] - k))
        s = terms == ARREARS
        for k in range(int(term[s].max()) if s.any() else 0):
            t = s & (k < term)
            p.bill(path[t], first[t] + k + 1, per_month[t])
        s = terms == ON_DELIVERY
        p.bill(path[s], first[s], amount[s])
        # Renewal: cohorts of existing subscriptions by the normal approximation, deals all or nothing.
        z = rng.standard_normal(len(path))
        is_cohort = cohort > 0
        renewed = np.where(is_cohort,
                           np.clip(prob * amount + np.sqrt(prob * (1 - prob) * cohort) * z, 0, amount),
                           np.where(rng.random(len(path)) < prob, amount, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            cohort = np.where(is_cohort, cohort * np.where(amount > 0, renewed / amount, 0) * (1 + uplift) ** 2, 0)
        first = first + term
        go = (renewed > 0) & (first < h)
        path, first, term, terms, cohort, late = path[go], first[go], term[go], terms[go], cohort[go], late[go]
        amount = renewed[go] * (1 + uplift)
        p.add(p.bookings, path, first, amount)

    # Effort and delivery: work for a team, its hours overrunning at random.
    w = ~r
    path, start_w, size, product, bill_w = deals["path"][w], start[w], deals["size"][w], deals["product"][w], billing[w]
    day_w = day[w]
    overrun = lognormal(rng, len(path), inp["effort_overrun"], inp["effort_overrun_sigma"])
    estimate = size * np.array([q["hours_per_unit_value"] for q in products])[product]
    hours = estimate * overrun
    team = np.array([q["team"] for q in products])[product]
    none = (hours <= 0) | (team < 0)
    p.add(p.revenue, path[none], start_w[none], size[none])
    p.bill(path[none], start_w[none], size[none])
    upfront = ~none & (bill_w != ARREARS) & (bill_w != ON_DELIVERY)
    p.bill(path[upfront], start_w[upfront], size[upfront])
    q = ~none
    # The estimate spread evenly over the product's planned duration (term_months) from its
    # start: an overrun lengthens the work, not its pace.
    duration = np.maximum(1, np.array([q["term_months"] for q in products])[product])
    work.append({"path": path[q], "team": team[q], "booked": deals["month"][w][q], "start": start_w[q],
                 "amount": size[q], "hours": hours[q], "billing": bill_w[q], "prepaid": np.zeros(q.sum()),
                 "order": deals["order"][w][q], "pace": (estimate / duration)[q],
                 "scale": np.zeros(q.sum()), "day": day_w[q]})


def planned_by(planned, months):
    """The backlog's cumulative plan after `months` (fractional) months: linear within a month,
    its last value from its last month on (WorkItem::PlannedBy)."""
    months = np.asarray(months, dtype=np.float64)
    last = len(planned) - 1
    whole = np.minimum(np.floor(months).astype(np.int64), last)
    before = np.where(whole == 0, 0.0, planned[np.maximum(whole - 1, 0)])
    inside = before + (months - whole) * (planned[whole] - before)
    return np.where(months >= len(planned), planned[last], inside)


def simulate(inp, n, rng):
    """Per metric, an (n, horizon) array of path values; and months to clear per path."""
    h = inp["horizon"]
    p = Paths(inp, n, rng)
    products, segments = inp["products"], inp["segments"]
    price = inp["price_multiplier"]
    mix_cdf = [np.cumsum(s["product_mix"]) for s in segments]
    work, order = [], 0

    def pick(segment, u):
        cdf = np.array(mix_cdf)[segment]
        return np.minimum((u[:, None] >= cdf).sum(axis=1), len(products) - 1)

    # 0. The work backlog at as-of, one item per team, first in its queue.
    for t in range(len(inp["teams"])):
        amount, wh = inp["team_work_amount"][t], inp["team_work_hours"][t]
        if wh <= 0 and amount <= 0:
            continue
        hours = wh * lognormal(rng, n, inp["effort_overrun"], inp["effort_overrun_sigma"])
        none = hours <= 0
        if none.any():
            paths = np.nonzero(none)[0]
            p.revenue[paths, 0] += amount
            p.bill(paths, np.zeros(len(paths), dtype=np.int64), np.full(len(paths), max(0.0, amount - inp["team_prepaid"][t])))
        paths = np.nonzero(~none)[0]
        work.append({"path": paths, "team": np.full(len(paths), t), "booked": np.full(len(paths), -1),
                     "start": np.zeros(len(paths), dtype=np.int64), "amount": np.full(len(paths), amount),
                     "hours": hours[~none], "billing": np.full(len(paths), ARREARS),
                     "prepaid": np.full(len(paths), inp["team_prepaid"][t]), "order": np.full(len(paths), -1),
                     "pace": np.zeros(len(paths)), "scale": hours[~none] / wh, "day": np.zeros(len(paths))})

    # 1. The open pipeline: each deal wins with its probability, slips, and varies in size.
    od = inp["open_deals"]
    seg = np.array(od["segment"], dtype=np.int64)
    win = rng.random((n, len(seg))) < np.array(od["win_probability"])
    path, deal = np.nonzero(win)
    g = seg[deal]
    slip_p = np.array([s["slip_probability"] for s in segments])[g]
    slip_m = np.array([s["slip_months"] for s in segments])[g]
    u_slip, u_len = rng.random(len(path)), rng.random(len(path))
    with np.errstate(divide="ignore"):
        length = np.where(slip_m <= 1, 1, np.minimum(120, np.ceil(np.log(u_len) / np.log1p(-1 / np.maximum(slip_m, 1 + 1e-12)))))
    month = np.array(od["expected_month"], dtype=np.int64)[deal] + np.where(u_slip < slip_p, length, 0).astype(np.int64)
    sigma = np.array([s["open_deal_size_sigma"] for s in segments])[g]
    size = np.array(od["amount"])[deal] * price * np.exp(sigma * rng.standard_normal(len(path)) - sigma * sigma / 2)
    product = np.array(od["product"], dtype=np.int64)[deal]
    product = np.where(product >= 0, product, pick(g, rng.random(len(path))))
    term = np.array([q["term_months"] for q in products])[product]
    add_deals(p, {"path": path, "month": month, "size": size, "product": product, "term": term,
                  "start_fraction": np.array(od["close_fraction"])[deal],
                  "cohort_squared": np.zeros(len(path)), "order": deal}, work)
    order = len(seg)

    # 2. New opportunities: Poisson won arrivals per segment and month, correlated demand.
    factor = np.array(inp["correlation_factor"]).reshape(len(segments), len(segments))
    v = inp["demand_volatility"]
    demand = np.exp(v * np.einsum("gk,nmk->nmg", factor, rng.standard_normal((n, h, len(segments)))) - v * v / 2)
    season = np.array([[s["seasonality"][(inp["first_calendar_month"] + m) % 12] for s in segments] for m in range(h)])
    rate = np.array([s["arrivals_per_month"] * s["win_rate"] for s in segments])
    # Each segment's trend, its error drawn once a path: the rate is the level at as-of, month m's
    # middle m + 0.5 months after it; the error also moves the level at as-of, which calibration
    # carried half a year forward along the estimate (engine: TrendFactor).
    log_growth = np.log1p(np.array([s["arrivals_growth_per_year"] for s in segments]))
    error = np.array([s["arrivals_growth_sigma"] for s in segments]) * rng.standard_normal((n, len(segments)))
    middle = (np.arange(h) + 0.5)[None, :, None]
    growth = np.exp((log_growth[None, None, :] * middle + error[:, None, :] * (middle + 6)) / 12)  # (n, h, g)
    counts = np.minimum(rng.poisson(np.minimum(1e5, rate * season * demand * growth)), (1 << 20) - 2)  # (n, h, g)
    path, month, g = np.nonzero(counts)
    reps = counts[path, month, g]
    path, month, g = np.repeat(path, reps), np.repeat(month, reps), np.repeat(g, reps)
    cycle = np.array([s["sales_cycle_months"] for s in segments])[g]
    cycle_sigma = np.array([s["sales_cycle_sigma"] for s in segments])[g]
    months = np.where(cycle > 0, np.exp(np.log(np.maximum(cycle, 1e-9)) - cycle_sigma ** 2 / 2
                                        + cycle_sigma * rng.standard_normal(len(path))), 0)
    deal_size = np.array([s["deal_size"] for s in segments])[g]
    size_sigma = np.array([s["deal_size_sigma"] for s in segments])[g]
    size = np.where(deal_size > 0, price * np.exp(np.log(np.maximum(deal_size, 1e-9)) - size_sigma ** 2 / 2
                                                  + size_sigma * rng.standard_normal(len(path))), 0)
    product = pick(g, rng.random(len(path)))
    # Created mid-month on average, a deal closes where m + 0.5 + cycle falls.
    closes = np.minimum(months, 1e6) + 0.5
    add_deals(p, {"path": path, "month": month + np.floor(closes).astype(np.int64), "size": size,
                  "start_fraction": closes - np.floor(closes),
                  "product": product, "term": np.array([q["term_months"] for q in products])[product],
                  "cohort_squared": np.zeros(len(path)), "order": order + np.arange(len(path))}, work)

    # 3. Renewals of existing subscriptions: a cohort per month, by the normal approximation.
    ratable = [i for i, q in enumerate(products) if q["kind"] == "ratable"]
    if ratable:
        e = inp["expiring"]
        a, a2 = np.array(e["amount"]), np.array(e["amount_squared"])
        z = rng.standard_normal((n, h))
        pr, up = inp["renewal_probability"], inp["renewal_uplift"]
        renewed = np.clip(pr * a + np.sqrt(pr * (1 - pr) * a2) * z, 0, a)
        size = renewed * (1 + up) * price
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(renewed > 0, size / renewed, 0)
            cohort = np.where(a > 0, a2 * np.where(a > 0, renewed / a, 0) * scale * scale, 0)
        path, month = np.nonzero(np.broadcast_to(a > 0, (n, h)))
        terms = np.maximum(1, np.floor(np.array(e["term_months"]) + 0.5)).astype(np.int64)
        add_deals(p, {"path": path, "month": month, "size": size[path, month],
                      "product": np.full(len(path), ratable[0]), "term": terms[month],
                      "start_fraction": np.array(e["start_fraction"])[month],
                      "cohort_squared": cohort[path, month], "order": np.zeros(len(path), dtype=np.int64)}, work)

    # 4. Teams month by month: attrition, hires with ramp-up, capacity spent first come first served.
    items = {k: np.concatenate([w[k] for w in work]) for k in work[0]} if work else None
    teams = inp["teams"]
    out = {m: np.zeros((n, h)) for m in METRICS}
    clear = np.full(n, h + 1)
    ratable_revenue = np.cumsum(p.ratable_step[:, :h], axis=1)
    capacity_total, worked_total, headcount_total, cost_total, work_left, unbilled_work = (
        np.zeros((n, h)) for _ in range(6))
    backlog_open = np.zeros((n, h), dtype=bool)  # some of the as-of work backlog not yet delivered
    for t, team in enumerate(teams):
        counts = [np.full(n, int(round(team["fte"])))]
        joins = [-1000]
        for hire in inp["hires"]:
            if hire["team"] == t:
                counts.append(np.full(n, hire["count"]))
                joins.append(hire["join"])
        capacity = np.zeros((n, h))
        for m in range(h):
            for c in range(len(counts)):
                if m < joins[c]:
                    continue
                counts[c] = counts[c] - rng.binomial(counts[c], team["monthly_attrition"])
                ramp = team["ramp_up_months"]
                productivity = 1.0 if ramp == 0 else min(1.0, (m - joins[c] + 1.0) / (ramp + 1.0))
                capacity[:, m] += counts[c] * productivity * team["hours_per_fte_month"] * team["utilization"]
                headcount_total[:, m] += counts[c]
                cost_total[:, m] += counts[c] * team["cost_per_fte_month"]
        capacity_total += capacity
        sel = (items["team"] == t) if items is not None else np.zeros(0, dtype=bool)
        if items is None or not sel.any():
            continue
        it = {k: v[sel] for k, v in items.items()}
        # Each path's queue: by start month, then arrival; padded to the longest queue.
        rank = np.lexsort((it["order"], np.minimum(it["start"], h), it["path"]))
        it = {k: v[rank] for k, v in it.items()}
        per_path = np.bincount(it["path"], minlength=n)
        slot = np.arange(len(rank)) - np.repeat(np.cumsum(per_path) - per_path, per_path)
        k_max = int(per_path.max())
        grid = lambda values, fill=0.0: _grid(n, k_max, it["path"], slot, values, fill)  # noqa: E731
        hours, amount, start = grid(it["hours"]), grid(it["amount"]), grid(it["start"], h + 1)
        booked, prepaid = grid(it["booked"], h + 1), grid(it["prepaid"])
        pace, scale, day = grid(it["pace"]), grid(it["scale"]), grid(it["day"])
        planned = np.array(inp["team_work_planned"][t])
        arrears, delivery = grid(it["billing"] == ARREARS, False), grid(it["billing"] == ON_DELIVERY, False)
        delivery_unbilled = np.zeros(n)
        done_before = np.zeros((n, k_max))
        earned_before = np.zeros((n, k_max))
        is_backlog = booked < 0
        for m in range(h):
            # What each item's plan allows done by the month's end: the backlog's plan run its
            # overrun times as long (at the plan's pace), a sale's estimate spread over its
            # duration; capacity serves them in order.
            with np.errstate(divide="ignore", invalid="ignore"):
                stretched = np.where(scale > 0, (m + 1) / scale, 0.0)
            allowed = np.where(is_backlog, np.minimum(hours, scale * planned_by(planned, stretched)),
                               np.where(pace > 0, np.minimum(hours, pace * (m - start + 1 - day)), hours))
            want = np.where(start <= m, np.maximum(0, allowed - done_before), 0)
            ahead = np.cumsum(want, axis=1) - want
            done = done_before + np.clip(capacity[:, m, None] - ahead, 0, want)
            done_total = done.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                earned = np.where(hours > 0, amount * (done - done_before) / hours, 0)
            p.revenue[:, m] += earned.sum(axis=1)
            worked_total[:, m] += (done - done_before).sum(axis=1)
            cum = earned_before + earned
            prepaid_used = np.minimum(prepaid, cum) - np.minimum(prepaid, earned_before)
            rows, cols = np.nonzero(arrears & (earned > 0))
            invoiced = (earned - prepaid_used)[rows, cols]
            p.bill(rows, np.full(len(rows), m + 1), invoiced)
            # Contract assets: this month's arrears earnings (invoiced next month) and what work
            # billed on delivery has earned before it is done.
            unbilled_work[:, m] += np.bincount(rows, weights=invoiced, minlength=n)
            finished = delivery & (done >= hours) & (done_before < hours)
            rows, cols = np.nonzero(finished)
            p.bill(rows, np.full(len(rows), m), amount[rows, cols])
            delivery_unbilled += (earned * delivery).sum(axis=1) - np.bincount(rows, weights=cum[rows, cols], minlength=n)
            unbilled_work[:, m] += delivery_unbilled
            work_left[:, m] += np.maximum(0, np.where(booked <= m, hours, 0).sum(axis=1) - done_total)
            backlog_open[:, m] |= (is_backlog & (done < hours)).any(axis=1)
            done_before, earned_before = done, cum
    cleared = ~backlog_open
    first_clear = np.where(cleared.any(axis=1), cleared.argmax(axis=1) + 1, h + 1)
    clear = first_clear

    p.settle()
    p.revenue += ratable_revenue
    net = inp["net_contract_liability"] + np.cumsum(p.billings - p.revenue, axis=1)
    out["bookings"], out["revenue"], out["billings"], out["collections"] = p.bookings, p.revenue, p.billings, p.collections
    out["backlog"] = inp["backlog"] + np.cumsum(p.bookings - p.revenue, axis=1)
    out["unbilled_backlog"] = inp["unbilled_backlog"] + np.cumsum(p.bookings - p.billings, axis=1)
    out["deferred_revenue"] = np.maximum(0, net + unbilled_work)
    out["accounts_receivable"] = inp["accounts_receivable"] + np.cumsum(p.billings - p.collections, axis=1)
    out["work_backlog_hours"], out["capacity_hours"] = work_left, capacity_total
    with np.errstate(divide="ignore", invalid="ignore"):
        out["utilization"] = np.where(capacity_total > 0, worked_total / capacity_total, 0)
    out["headcount"], out["delivery_cost"] = headcount_total, cost_total
    return out, clear


def _grid(n, k, path, slot, values, fill):
    out = np.full((n, k), fill, dtype=np.asarray(values).dtype)
    out[path, slot] = values
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("peer_json", help="written by build/bench/forecast_peer")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is reported")
    parser.add_argument("--chunk", type=int, default=5000, help="paths simulated at once (memory)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with open(args.peer_json) as f:
        peer = json.load(f)
    inp, fc = peer["inputs"], peer["forecastle"]
    n, h = fc["paths"], inp["horizon"]
    times, result = [], None
    for run in range(args.runs):
        rng = np.random.Generator(np.random.PCG64(args.seed + run))
        start = time.perf_counter()
        parts = []
        for begin in range(0, n, args.chunk):
            parts.append(simulate(inp, min(args.chunk, n - begin), rng)[0])
        result = {m: np.concatenate([part[m] for part in parts]) for m in METRICS}
        times.append(time.perf_counter() - start)
        print(f"peer_numpy: run {run + 1}: {times[-1]:.2f} s", file=sys.stderr)
    numpy_seconds = sorted(times)[len(times) // 2]
    worst, failures = 0.0, []
    for metric in METRICS:
        mean = result[metric].mean(axis=0)
        se = result[metric].std(axis=0, ddof=1) / math.sqrt(n)
        for m in range(h):
            # forecastle keeps path values in single precision: months that do not vary agree to ~1e-7.
            combined = math.hypot(se[m], fc["standard_error"][metric][m], 1e-6 * abs(mean[m]))
            gap = abs(mean[m] - fc["mean"][metric][m])
            z = gap / combined if combined > 0 else (0.0 if gap <= 1e-6 * max(1.0, abs(mean[m])) else math.inf)
            worst = max(worst, z)
            if z > 4:
                failures.append(f"{metric} month {m}: numpy {mean[m]:.6g}, forecastle {fc['mean'][metric][m]:.6g}, "
                                f"{z:.1f} standard errors apart")
    numpy_ns = 1e9 * numpy_seconds / (n * h)
    print(f"paths {n}, horizon {h}, one core each")
    print(f"forecastle: {fc['ns_per_path_month']:.0f} ns per path-month (median of its runs)")
    print(f"numpy peer: {numpy_ns:.0f} ns per path-month (median of {args.runs})")
    print(f"forecastle is {numpy_ns / fc['ns_per_path_month']:.1f}x faster per core")
    print(f"means: the largest gap is {worst:.2f} combined standard errors over {len(METRICS)} metrics x {h} months")
    for failure in failures:
        print("  DISAGREES:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
