"""Typed Python client for forecastle: exact actuals and Monte Carlo forecasts over gRPC.

    import forecastle
    with forecastle.Client("127.0.0.1:50051") as client:
        print(client.metrics("2026-01", "2026-03", as_of="2026-10-31")[0].periods[0].revenue)
"""
from forecastle.client import METRICS, Client
from forecastle.errors import ForecastleError, ImportIncomplete
from forecastle.types import (Backtest, BacktestScore, BacklogReport, Calibration, Comparison, FittedValue, Forecast,
                              ImportResult, MetricsTable, MonthSummary, PeriodMetrics, Progress, RecordError,
                              TargetProbability, VariantComparison)

__all__ = ["Client", "METRICS", "ForecastleError", "ImportIncomplete", "Backtest", "BacktestScore", "BacklogReport", "Calibration", "Comparison",
           "FittedValue", "Forecast", "ImportResult", "MetricsTable", "MonthSummary", "PeriodMetrics", "Progress",
           "RecordError", "TargetProbability", "VariantComparison"]
__version__ = "0.1.0"
