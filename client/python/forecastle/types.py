"""The results the client returns: frozen dataclasses with money as Decimal and dates as date.

Money in actuals is exact (SPEC §2): it arrives as a decimal string and becomes a Decimal.
Forecast figures are statistics and stay floats.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, List, Optional, Tuple


def parse_date(text: str) -> Optional[datetime.date]:
    """'YYYY-MM-DD' -> date; '' -> None."""
    return datetime.date.fromisoformat(text) if text else None


def parse_month(text: str) -> datetime.date:
    """'YYYY-MM' -> the first day of that month."""
    year, month = text.split("-")
    return datetime.date(int(year), int(month), 1)


def parse_money(text: str) -> Decimal:
    """'1234.56' -> Decimal('1234.56'); '' -> Decimal('0')."""
    return Decimal(text) if text else Decimal("0")


@dataclass(frozen=True)
class PeriodMetrics:
    """One period of the exact actuals (SPEC §3): money in Decimal, to the cent."""
    period: str                 # "2026-01", "2026-Q1" or "2026"
    first_day: datetime.date
    last_day: datetime.date
    partial: bool               # the period ends after as_of: reported through as_of
    bookings: Decimal
    bookings_new: Decimal
    bookings_existing: Decimal
    revenue: Decimal
    billings: Decimal
    collections: Decimal
    cancellations: Decimal
    backlog: Decimal
    unbilled_backlog: Decimal
    deferred_revenue: Decimal
    contract_assets: Decimal
    accounts_receivable: Decimal
    book_to_bill: Optional[float]             # None when billings are 0
    backlog_coverage_months: Optional[float]  # None without revenue to divide by


@dataclass(frozen=True)
class MetricsTable:
    group: str                  # "" for the whole company, else the segment or customer_id
    periods: List[PeriodMetrics]


@dataclass(frozen=True)
class BacklogReport:
    group: str
    backlog: Decimal
    aging: Dict[str, Decimal]   # "0-90", "91-180", "181-365", "366+" days since signing
    crpo: Decimal               # to be recognised in the next 12 months
    non_current: Decimal


@dataclass(frozen=True)
class RecordError:
    """A record the server (or the CSV reader) refused; file and line when it came from a CSV."""
    index: int
    key: str
    field: str
    message: str
    code: int
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else (f"{self.key}: " if self.key else "")
        return f"{where}{self.field}: {self.message}" if self.field else f"{where}{self.message}"


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: every record received is created, unchanged or in `errors`."""
    received: int                 # records (import_csv: rows) taken in
    created: int                  # new records stored
    unchanged: int                # identical records already there (no-ops)
    errors: List[RecordError] = field(default_factory=list)  # every refused record
    batches: int = 0              # batches the server acknowledged
    replayed_batches: int = 0     # of them, acknowledged by an earlier run with the same run_id

    @property
    def refused(self) -> int:
        return len(self.errors)


@dataclass(frozen=True)
class MonthSummary:
    """One month of one metric across the paths."""
    month: datetime.date        # the first day of the month
    mean: float
    std: float
    standard_error: float
    quantiles: Dict[float, float]   # requested quantile -> value, e.g. {0.1: ..., 0.5: ..., 0.9: ...}

    @property
    def p10(self) -> Optional[float]:
        return self.quantiles.get(0.1)

    @property
    def p50(self) -> Optional[float]:
        return self.quantiles.get(0.5)

    @property
    def p90(self) -> Optional[float]:
        return self.quantiles.get(0.9)


@dataclass(frozen=True)
class TargetProbability:
    metric: str
    value: float
    probability: List[float]    # per month: P(metric >= value)


@dataclass(frozen=True)
class Forecast:
    """A Monte Carlo forecast (SPEC §4): per metric and month, mean, spread and quantiles."""
    scenario: str
    as_of: datetime.date
    paths: int
    seed: int
    quantiles: Tuple[float, ...]
    metrics: Dict[str, List[MonthSummary]]   # "revenue" -> one summary per month
    strain_probability: List[float]          # per month: P(work backlog > strain months of capacity)
    months_to_clear: Optional[MonthSummary]  # month (1-based) the work backlog first clears
    clear_probability: float
    actuals: List[PeriodMetrics]             # the exact months through as_of, for charts
    target_probabilities: List[TargetProbability]
    open_opportunities: int
    opportunities_without_segment: int

    def months(self) -> List[datetime.date]:
        first = next(iter(self.metrics.values()), [])
        return [m.month for m in first]


@dataclass(frozen=True)
class Progress:
    """Where a streamed forecast is: passed to the progress callback."""
    paths_done: int
    paths_total: int
    partial: Optional[Forecast]   # summaries over the paths done so far, when the server sent them
    queue_position: int = 0       # > 0 while the forecast waits for a turn on the server (1 = next)


@dataclass(frozen=True)
class VariantComparison:
    forecast: Forecast
    difference: Dict[str, List[MonthSummary]]       # variant - base, path by path
    probability_higher: Dict[str, List[float]]      # P(variant > base) per month


@dataclass(frozen=True)
class Comparison:
    base: Forecast
    variants: Dict[str, VariantComparison]          # by scenario name, in request order


@dataclass(frozen=True)
class FittedValue:
    field: str
    value: float
    sample_size: int
    fitted: bool                 # False: too few observations, the starting value was kept


@dataclass(frozen=True)
class Calibration:
    scenario: object             # forecastle.v1.forecast_pb2.Scenario, every field set
    values: List[FittedValue]


@dataclass(frozen=True)
class BacktestScore:
    """How well forecasts of one metric did against the exact actuals that followed (SPEC §4.5),
    at one horizon month or, with horizon_month 0, over every horizon month."""
    metric: str                          # "bookings", "revenue", ... (the metrics with exact actuals)
    horizon_month: int                   # 1 = the first month after as-of; 0 = every horizon month
    forecasts: int                       # forecast months scored: as-of dates (x horizon months when overall)
    coverage_80: float                   # share of actuals inside P10-P90 (0.8 when calibrated)
    coverage_50: float                   # share of actuals inside P25-P75 (0.5 when calibrated)
    pit: List[int]                       # 10 bins: actuals by the share of paths below them (flat when calibrated)
    bias: float                          # mean (P50 - actual) / |actual|: > 0 forecasts too high
    crps: float                          # mean CRPS / |actual|: lower is better
    peers: Dict[str, Optional[float]]    # naive peer -> its mean |error| / |actual|; None where it does not apply
    best_peer: str                       # the peer with the lowest crps
    skill: Optional[float]               # 1 - crps / best peer's crps (> 0 beats every peer); None without a peer


@dataclass(frozen=True)
class Backtest:
    """Forecasts replayed from past month ends, each from what the ledger held then, scored
    against the actuals that followed (SPEC §4.5)."""
    as_of: List[datetime.date]           # the month ends forecast from
    overall: List[BacktestScore]         # per metric (bookings first), over every horizon month
    cells: List[BacktestScore]           # per metric, then horizon month 1, 2, ...

    def score(self, metric: str, horizon_month: int = 0) -> Optional[BacktestScore]:
        """The score of `metric` at `horizon_month` (0: over every horizon month), or None."""
        rows = self.overall if horizon_month == 0 else self.cells
        return next((s for s in rows if s.metric == metric and s.horizon_month == horizon_month), None)
