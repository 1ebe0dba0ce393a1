"""forecastle.Client: the whole gRPC API as plain Python calls.

    import forecastle
    with forecastle.Client("127.0.0.1:50051") as client:
        client.import_csv("sample/")
        table = client.metrics("2026-01", "2026-03", as_of="2026-10-31")[0]
        fc = client.forecast(scenario="base", as_of="2026-10-31", horizon=12, paths=20000, seed=7,
                             progress=lambda p: print(p.paths_done, "/", p.paths_total))
        print(fc.metrics["revenue"][0].p50)

Over TLS: forecastle.Client("db1.example.com:50051", ca="ca.crt"); add cert= and key= when the
server requires client certificates (or set FORECASTLE_CA, FORECASTLE_CERT, FORECASTLE_KEY).
A server started with --auth wants a bearer token: Client(..., token="fc_...") or FORECASTLE_TOKEN.

Every refused or failed call raises ForecastleError (gRPC code, the field it names, the message);
an import that does not account for every record sent raises its subclass ImportIncomplete.
"""
from __future__ import annotations

import collections
import csv
import datetime
import io
import os
import uuid
from typing import Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from forecastle.errors import ForecastleError, ImportIncomplete
from forecastle.types import (Backtest, BacktestScore, BacklogReport, Calibration, Comparison, FittedValue, Forecast,
                              ImportResult, MetricsTable, MonthSummary, PeriodMetrics, Progress, RecordError,
                              TargetProbability, VariantComparison, parse_date, parse_money, parse_month)
from forecastle.v1 import (actuals_pb2, actuals_pb2_grpc, admin_pb2, admin_pb2_grpc, forecast_pb2, forecast_pb2_grpc,
                           ledger_pb2, ledger_pb2_grpc)

DateLike = Union[datetime.date, str, None]
PemSource = Union[str, os.PathLike, bytes, None]  # a path, or the PEM text itself as bytes
ScenarioLike = Union[forecast_pb2.Scenario, Mapping]
ProgressCallback = Callable[[Progress], Optional[bool]]

# CSV files in the order records must arrive (references point backwards), with their record field.
CSV_FILES: Tuple[Tuple[str, str], ...] = (
    ("customers.csv", "customer"), ("contracts.csv", "contract"), ("lines.csv", "line"),
    ("progress.csv", "progress"), ("cancellations.csv", "cancellation"), ("invoices.csv", "invoice"),
    ("payments.csv", "payment"), ("opportunities.csv", "opportunity"), ("headcount.csv", "headcount"))

# The forecast's metrics by name ("revenue", "work_backlog_hours", in reply order), read off the
# wire's Metric enum, whose METRIC_<NAME> is the metric <name>: the one table of names, as the
# server and the C++ CLI name them too (engine/forecast/metric.cc).
_METRIC_PREFIX = "METRIC_"
_METRIC_VALUES: Dict[str, int] = {name[len(_METRIC_PREFIX):].lower(): value
                                  for name, value in forecast_pb2.Metric.items() if value != forecast_pb2.METRIC_UNSPECIFIED}
METRICS: Tuple[str, ...] = tuple(_METRIC_VALUES)

_GRAINS = {"month": actuals_pb2.GRAIN_MONTH, "quarter": actuals_pb2.GRAIN_QUARTER, "year": actuals_pb2.GRAIN_YEAR}
_GROUPS = {"company": actuals_pb2.GROUP_BY_COMPANY, "segment": actuals_pb2.GROUP_BY_SEGMENT,
           "customer": actuals_pb2.GROUP_BY_CUSTOMER}


def _date_text(value: DateLike, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT, f"{name}: expected a date or 'YYYY-MM-DD', got {value!r}", name)


def _month_text(value: Union[datetime.date, str], name: str) -> str:
    if isinstance(value, datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        return value
    raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT, f"{name}: expected a month 'YYYY-MM', got {value!r}", name)


def _choice(table: Mapping[str, int], value: str, name: str) -> int:
    if value not in table:
        raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT,
                              f"{name} must be one of {', '.join(table)}, got {value!r}", name)
    return table[value]


def _metric_name(message: Union[forecast_pb2.MetricForecast, forecast_pb2.Target, forecast_pb2.BacktestScore]) -> str:
    """A reply's metric by name: its enum's, or from a server older than the enum its metric_name."""
    if message.metric == forecast_pb2.METRIC_UNSPECIFIED:
        return message.metric_name
    try:
        return forecast_pb2.Metric.Name(message.metric)[len(_METRIC_PREFIX):].lower()
    except ValueError:  # a metric newer than this client
        return f"metric {message.metric}"


def _period(p: actuals_pb2.PeriodMetrics) -> PeriodMetrics:
    return PeriodMetrics(
        period=p.period, first_day=parse_date(p.first_day), last_day=parse_date(p.last_day), partial=p.partial,
        bookings=parse_money(p.bookings), bookings_new=parse_money(p.bookings_new),
        bookings_existing=parse_money(p.bookings_existing), revenue=parse_money(p.revenue),
        billings=parse_money(p.billings), collections=parse_money(p.collections),
        cancellations=parse_money(p.cancellations), backlog=parse_money(p.backlog),
        unbilled_backlog=parse_money(p.unbilled_backlog), deferred_revenue=parse_money(p.deferred_revenue),
        contract_assets=parse_money(p.contract_assets), accounts_receivable=parse_money(p.accounts_receivable),
        book_to_bill=p.book_to_bill if p.HasField("book_to_bill") else None,
        backlog_coverage_months=p.backlog_coverage_months if p.HasField("backlog_coverage_months") else None)


def _summaries(metrics: Iterable[forecast_pb2.MetricForecast], quantiles: Sequence[float]) -> Dict[str, List[MonthSummary]]:
    return {_metric_name(m): [_month(s, quantiles) for s in m.months] for m in metrics}


def _month(s: forecast_pb2.MonthSummary, quantiles: Sequence[float]) -> MonthSummary:
    return MonthSummary(month=parse_month(s.month) if s.month else None, mean=s.mean, std=s.std,
                        standard_error=s.standard_error, quantiles=dict(zip(quantiles, s.quantiles)))


def _forecast(reply: forecast_pb2.ForecastReply) -> Forecast:
    quantiles = tuple(reply.quantiles)
    periods = [_period(p) for table in reply.actuals.tables[:1] for p in table.periods]
    return Forecast(
        scenario=reply.scenario, as_of=parse_date(reply.as_of), paths=reply.paths, seed=reply.seed,
        quantiles=quantiles, metrics=_summaries(reply.metrics, quantiles),
        strain_probability=list(reply.strain_probability),
        months_to_clear=_month(reply.months_to_clear, quantiles) if reply.HasField("months_to_clear") else None,
        clear_probability=reply.clear_probability, actuals=periods,
        target_probabilities=[TargetProbability(_metric_name(t.target), t.target.value, list(t.probability))
                              for t in reply.target_probabilities],
        open_opportunities=reply.open_opportunities,
        opportunities_without_segment=reply.opportunities_without_segment)


def _backtest_score(s: forecast_pb2.BacktestScore) -> BacktestScore:
    return BacktestScore(
        metric=_metric_name(s), horizon_month=s.horizon_month, forecasts=s.forecasts, coverage_80=s.coverage_80,
        coverage_50=s.coverage_50, pit=list(s.pit), bias=s.bias, crps=s.crps,
        peers={p.peer: p.crps if p.HasField("crps") else None for p in s.peers}, best_peer=s.best_peer,
        skill=s.skill if s.HasField("skill") else None)


def _scenario(scenario: ScenarioLike) -> forecast_pb2.Scenario:
    if isinstance(scenario, forecast_pb2.Scenario):
        return scenario
    try:
        return json_format.ParseDict(dict(scenario), forecast_pb2.Scenario())
    except json_format.ParseError as error:
        raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT, f"scenario: {error}", "scenario") from None


def _record_from_row(kind: str, row: Mapping[str, str]) -> ledger_pb2.Record:
    """One CSV row as a Record; raises ValueError naming the column for text that has no proto form."""
    record = ledger_pb2.Record()
    message = getattr(record, kind)
    descriptor = message.DESCRIPTOR
    for column, text in row.items():
        if column is None:
            raise ValueError("row: more cells than columns")
        text = (text or "").strip()
        field = descriptor.fields_by_name.get(column)
        if field is None:
            raise ValueError(f"{column}: unknown column for {kind} records")
        if not text:
            continue
        if field.enum_type is not None:
            value = field.enum_type.values_by_name.get(f"{_enum_prefix(field.enum_type.name)}_{text.upper()}")
            if value is None or value.number == 0:
                raise ValueError(f"{column}: unknown value {text!r}")
            setattr(message, column, value.number)
        elif field.type == field.TYPE_BOOL:
            if text not in ("true", "false"):
                raise ValueError(f"{column}: expected true or false, got {text!r}")
            setattr(message, column, text == "true")
        elif field.type in (field.TYPE_INT64, field.TYPE_INT32):
            try:
                setattr(message, column, int(text))
            except ValueError:
                raise ValueError(f"{column}: expected a whole number, got {text!r}") from None
        else:
            setattr(message, column, text)
    return record


def _enum_prefix(name: str) -> str:
    """LineKind -> LINE_KIND, OpportunityStatus -> OPPORTUNITY_STATUS."""
    return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(name)).upper()


MAX_BATCH_RECORDS = 10000  # the server's limit on one import batch


def _as_record(record: Message) -> ledger_pb2.Record:
    if isinstance(record, ledger_pb2.Record):
        return record
    wrapped = ledger_pb2.Record()
    getattr(wrapped, type(record).DESCRIPTOR.name.lower()).CopyFrom(record)
    return wrapped


def _not_utf8(name: str, data: bytes) -> Optional[ForecastleError]:
    """None if `data` is UTF-8; else the error naming the first bad cell as file:line: column,
    worded as the C++ CLI words it."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    rows = csv.reader(io.StringIO(data.decode("utf-8", errors="surrogateescape"), newline=""))
    header: List[str] = []
    line = 1  # where the next row starts
    for row in rows:
        for c, cell in enumerate(row):
            bad = next((i for i, ch in enumerate(cell) if "\udc80" <= ch <= "\udcff"), None)
            if bad is None:
                continue
            named = bool(header) and c < len(header) and not any("\udc80" <= ch <= "\udcff" for ch in header[c])
            column = header[c] if named else ("header" if not header else "")
            before = cell[:bad]
            byte = f"0x{ord(cell[bad]) - 0xDC00:02X}"
            reason = (f'byte {byte} after "{"..." if len(before) > 24 else ""}{before[-24:]}"' if before
                      else f"byte {byte} at the start")
            where = f"{name}:{line}: " + (f"{column}: " if column else "")
            return ForecastleError(grpc.StatusCode.INVALID_ARGUMENT,
                                   f"{where}not valid UTF-8: {reason} in column {c + 1}; the file must be UTF-8",
                                   column or None)
        if not header:
            header = row
        line = rows.line_num + 1
    return ForecastleError(grpc.StatusCode.INVALID_ARGUMENT, f"{name}: not valid UTF-8; the file must be UTF-8")


def _pem(value: PemSource, name: str) -> Optional[bytes]:
    """`value` (PEM bytes, or a path to read), else the environment variable FORECASTLE_<NAME>."""
    source = name
    if value is None:
        variable = f"FORECASTLE_{name.upper()}"
        value = os.environ.get(variable) or None
        source = variable
    if value is None or isinstance(value, bytes):
        return value
    try:
        with open(value, "rb") as file:
            return file.read()
    except OSError as error:
        raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT,
                              f"{source}: cannot read {os.fspath(value)}: {error.strerror}", name) from None


def _channel_credentials(*, ca: PemSource = None, cert: PemSource = None, key: PemSource = None,
                        tls: bool = False) -> Optional[grpc.ChannelCredentials]:
    """The TLS credentials Client uses, or None for plaintext (see Client)."""
    ca_pem, cert_pem, key_pem = _pem(ca, "ca"), _pem(cert, "cert"), _pem(key, "key")
    if (cert_pem is None) != (key_pem is None):
        given, missing = ("cert", "key") if key_pem is None else ("key", "cert")
        raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT,
                              f"{given}: a client certificate needs both cert and key; {missing} is missing "
                              f"(argument or FORECASTLE_{missing.upper()})", given)
    if not tls and ca_pem is None and cert_pem is None:
        return None
    return grpc.ssl_channel_credentials(root_certificates=ca_pem, private_key=key_pem, certificate_chain=cert_pem)


class _CallDetails(collections.namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials",
                                                          "wait_for_ready", "compression")),
                   grpc.ClientCallDetails):
    pass


class _BearerToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                   grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call. Metadata, not call credentials: gRPC
    sends call credentials over TLS only, and a token is as good on a loopback plaintext channel."""

    def __init__(self, token: str):
        self._metadata = ("authorization", f"Bearer {token}")

    def _details(self, details: grpc.ClientCallDetails) -> _CallDetails:
        return _CallDetails(details.method, details.timeout, [*(details.metadata or ()), self._metadata],
                            details.credentials, getattr(details, "wait_for_ready", None),
                            getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._details(details), requests)


_ROLES = {"reader": admin_pb2.ROLE_READER, "planner": admin_pb2.ROLE_PLANNER, "writer": admin_pb2.ROLE_WRITER,
          "admin": admin_pb2.ROLE_ADMIN}


class Client:
    """A connection to forecastle-server. Thread-safe; use as a context manager or call close()."""

    def __init__(self, address: str = "127.0.0.1:50051", *, timeout: Optional[float] = 300.0,
                 channel: Optional[grpc.Channel] = None, ca: PemSource = None, cert: PemSource = None,
                 key: PemSource = None, tls: bool = False, token: Optional[str] = None):
        """`timeout`: seconds each call may take (its gRPC deadline); None waits for ever.

        `token`: the bearer token (\"fc_...\") of a server started with --auth, sent with every call;
        default FORECASTLE_TOKEN when set, else none.

        Plaintext unless TLS is asked for: `ca` (CA certificates to trust instead of the default
        roots), `cert` and `key` (a client certificate, for a server that requires mutual TLS), each
        a path or the PEM text as bytes, or `tls=True` (TLS trusting gRPC's default root CAs). Each
        of ca, cert and key not given comes from FORECASTLE_CA, FORECASTLE_CERT or FORECASTLE_KEY
        when set. `channel`, when given, is used as it is.
        """
        options = [("grpc.max_receive_message_length", 256 << 20), ("grpc.max_send_message_length", 64 << 20)]
        credentials = None if channel else _channel_credentials(ca=ca, cert=cert, key=key, tls=tls)
        if channel:
            self._channel = channel
        elif credentials:
            self._channel = grpc.secure_channel(address, credentials, options=options)
        else:
            self._channel = grpc.insecure_channel(address, options=options)
        self._plain_channel = self._channel
        token = token if token is not None else (os.environ.get("FORECASTLE_TOKEN") or "").strip()
        if token:
            self._channel = grpc.intercept_channel(self._channel, _BearerToken(token))
        self.timeout = timeout
        self._ledger = ledger_pb2_grpc.LedgerServiceStub(self._channel)
        self._actuals = actuals_pb2_grpc.ActualsServiceStub(self._channel)
        self._forecasts = forecast_pb2_grpc.ForecastServiceStub(self._channel)
        self._admin = admin_pb2_grpc.AdminServiceStub(self._channel)

    def close(self) -> None:
        self._plain_channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, method, request, timeout: Optional[float] = None):
        try:
            return method(request, timeout=timeout if timeout is not None else self.timeout)
        except grpc.RpcError as error:
            raise ForecastleError.from_rpc(error) from None

    # ---- Ledger -------------------------------------------------------------------------------

    def put(self, record: Message) -> bool:
        """Records one Customer, Contract, Line, Progress, Cancellation, Invoice, Payment,
        Opportunity or Headcount (forecastle.v1.ledger_pb2 messages). True if stored, False if an identical
        record was already there (writes are idempotent)."""
        kind = type(record).DESCRIPTOR.name
        method = getattr(self._ledger, f"Put{kind}", None)
        if method is None or kind == "Record":
            raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT, f"record: cannot put a {kind}", "record")
        return self._call(method, record).created

    def import_records(self, records: Iterable[Message], *, batch_size: int = 1000, run_id: Optional[str] = None,
                       progress: Optional[Callable[[int, int], None]] = None) -> ImportResult:
        """Streams records (Record messages or the record kinds themselves) in one Import call, in
        batches of `batch_size` (at most 10,000), each stored in one transaction and acknowledged
        once durable. Batch ids are f"{run_id}-{n}" (run_id: default a fresh random one); importing
        again with the same run_id and records resumes an interrupted import, the batches already
        acknowledged being answered from the server's record rather than applied again.

        Returns the totals once every batch sent was acknowledged with every record accounted for
        (created, unchanged, or in errors with its position among `records`). Raises
        ImportIncomplete otherwise, with what was acknowledged. `progress(records acknowledged,
        records sent)` is called as acknowledgements arrive."""
        if not 1 <= batch_size <= MAX_BATCH_RECORDS:
            raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT,
                                  f"batch_size must be in [1, {MAX_BATCH_RECORDS}], got {batch_size}", "batch_size")
        run = run_id or uuid.uuid4().hex
        sent: List[int] = []  # records in each batch, appended before the batch goes out

        def batch_request(batch: List[ledger_pb2.Record]) -> ledger_pb2.ImportRequest:
            sent.append(len(batch))
            return ledger_pb2.ImportRequest(batch=ledger_pb2.ImportBatch(batch_id=f"{run}-{len(sent)}", records=batch))

        def requests() -> Iterator[ledger_pb2.ImportRequest]:
            batch: List[ledger_pb2.Record] = []
            for record in records:
                batch.append(_as_record(record))
                if len(batch) >= batch_size:
                    yield batch_request(batch)
                    batch = []
            if batch:
                yield batch_request(batch)
            yield ledger_pb2.ImportRequest(end=ledger_pb2.ImportEnd(batches=len(sent), records=sum(sent)))

        acks: List[ledger_pb2.ImportBatchAck] = []
        summaries: List[ledger_pb2.ImportSummary] = []
        errors: List[RecordError] = []
        differences: List[str] = []
        start = 0  # position of the first record of the next batch to acknowledge

        def account() -> ImportResult:
            return ImportResult(sum(a.received for a in acks), sum(a.created for a in acks),
                                sum(a.unchanged for a in acks), list(errors), len(acks),
                                sum(1 for a in acks if a.replayed))

        def incomplete(code: grpc.StatusCode, message: str) -> ImportIncomplete:
            return ImportIncomplete(code, message, run_id=run, batches_sent=len(sent), records_sent=sum(sent),
                                    acknowledged=account())

        try:
            for reply in self._ledger.Import(requests(), timeout=self.timeout):
                if reply.HasField("summary"):
                    summaries.append(reply.summary)
                    continue
                ack = reply.batch
                k = len(acks)
                if k >= len(sent):
                    differences.append(f"the server answered {k + 1} batches; {len(sent)} were sent")
                    continue
                name = f"batch {k + 1} ({run}-{k + 1})"
                if ack.batch_id != f"{run}-{k + 1}":
                    differences.append(f'{name} was answered for "{ack.batch_id}"')
                if ack.received != sent[k]:
                    differences.append(f"{name}: {sent[k]} records sent, {ack.received} acknowledged")
                if ack.created + ack.unchanged + len(ack.errors) != ack.received:
                    differences.append(f"{name}: {ack.created} created + {ack.unchanged} unchanged + "
                                       f"{len(ack.errors)} refused is not the {ack.received} acknowledged")
                for e in ack.errors:
                    if not 0 <= e.index < sent[k]:
                        differences.append(f"{name}: refused record {e.index} is not in the batch")
                    errors.append(RecordError(start + e.index, e.key, e.field, e.message, e.code))
                start += sent[k]
                acks.append(ack)
                if progress:
                    progress(start, sum(sent))
        except grpc.RpcError as error:
            failed = ForecastleError.from_rpc(error)
            raise incomplete(failed.code, failed.message) from None
        totals = account()
        if len(acks) != len(sent):
            differences.append(f"{len(sent)} batches sent, {len(acks)} acknowledged")
        if len(summaries) != 1:
            differences.append("the stream ended without the server's summary")
        else:
            s = summaries[0]
            if (s.batches, s.received, s.created, s.unchanged, s.refused) != (
                    totals.batches, totals.received, totals.created, totals.unchanged, totals.refused):
                differences.append(f"the server's summary ({s.batches} batches, {s.received} records) differs from "
                                   f"its acknowledgements ({totals.batches} batches, {totals.received} records)")
        if differences:
            raise incomplete(grpc.StatusCode.DATA_LOSS, f"the import is not accounted for: {differences[0]}")
        return totals

    def import_csv(self, folder: Union[str, os.PathLike], *, batch_size: int = 1000, run_id: Optional[str] = None,
                   progress: Optional[Callable[[int, int], None]] = None) -> ImportResult:
        """Imports a folder of CSV exports (SPEC §3.4: customers.csv, contracts.csv, ...) in one
        import_records call. Every file must be UTF-8: otherwise nothing is sent and ForecastleError
        (INVALID_ARGUMENT) names the first bad cell as file:line: column. Refused rows come back as
        errors with their file and line; importing the same folder again is safe."""
        if not os.path.isdir(folder):
            raise ForecastleError(grpc.StatusCode.NOT_FOUND, f"no such folder: {folder}")
        known = {name for name, _ in CSV_FILES}
        for name in sorted(os.listdir(folder)):
            if name.endswith(".csv") and name not in known:
                raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT,
                                      f"{name}: unknown file; expected some of {', '.join(sorted(known))}")
        records: List[Tuple[ledger_pb2.Record, str, int]] = []
        errors: List[RecordError] = []
        texts: List[Tuple[str, str, str]] = []
        for name, kind in CSV_FILES:
            path = os.path.join(folder, name)
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            refused = _not_utf8(name, data)
            if refused:
                raise refused
            texts.append((name, kind, data.decode("utf-8-sig")))
        for name, kind, text in texts:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            for row in reader:
                try:
                    records.append((_record_from_row(kind, row), name, reader.line_num))
                except ValueError as error:
                    column, _, why = str(error).partition(": ")
                    errors.append(RecordError(-1, "", column, why, grpc.StatusCode.INVALID_ARGUMENT.value[0],
                                              name, reader.line_num))
        def located(result: ImportResult) -> ImportResult:
            placed = errors + [RecordError(e.index, e.key, e.field, e.message, e.code, *records[e.index][1:])
                               for e in result.errors if 0 <= e.index < len(records)]
            placed.sort(key=lambda e: (e.file, e.line))
            return ImportResult(result.received + len(errors), result.created, result.unchanged, placed,
                                result.batches, result.replayed_batches)

        try:
            return located(self.import_records((r for r, _, _ in records), batch_size=batch_size, run_id=run_id,
                                               progress=progress))
        except ImportIncomplete as failed:
            failed.acknowledged = located(failed.acknowledged)
            raise

    def summary(self) -> Dict[str, int]:
        """How many records of each kind are stored, and in all."""
        reply = self._call(self._ledger.Summary, ledger_pb2.SummaryRequest())
        return {f.name: getattr(reply, f.name) for f in reply.DESCRIPTOR.fields}

    # ---- Actuals ------------------------------------------------------------------------------

    def metrics(self, from_month: Union[datetime.date, str], to_month: Union[datetime.date, str], *,
                grain: str = "month", as_of: DateLike = None, fiscal_year_start_month: int = 1,
                group_by: str = "company", segment: str = "", customer_id: str = "") -> List[MetricsTable]:
        """The exact actuals (SPEC §3) per period: grain 'month', 'quarter' or 'year'; group_by
        'company', 'segment' or 'customer'. One table per group, sorted by group."""
        request = actuals_pb2.MetricsRequest(
            grain=_choice(_GRAINS, grain, "grain"), as_of=_date_text(as_of, "as_of"),
            fiscal_year_start_month=fiscal_year_start_month, group_by=_choice(_GROUPS, group_by, "group_by"),
            segment=segment, customer_id=customer_id)
        setattr(request, "from", _month_text(from_month, "from"))
        request.to = _month_text(to_month, "to")
        reply = self._call(self._actuals.GetMetrics, request)
        return [MetricsTable(t.group, [_period(p) for p in t.periods]) for t in reply.tables]

    def backlog(self, *, as_of: DateLike = None, group_by: str = "company", segment: str = "",
                customer_id: str = "") -> List[BacklogReport]:
        """Backlog (RPO) at as_of with its aging and cRPO, per group."""
        reply = self._call(self._actuals.GetBacklog, actuals_pb2.BacklogRequest(
            as_of=_date_text(as_of, "as_of"), group_by=_choice(_GROUPS, group_by, "group_by"),
            segment=segment, customer_id=customer_id))
        return [BacklogReport(r.group, parse_money(r.backlog), {a.label: parse_money(a.amount) for a in r.aging},
                              parse_money(r.crpo), parse_money(r.non_current)) for r in reply.reports]

    # ---- Scenarios ----------------------------------------------------------------------------

    def create_scenario(self, scenario: ScenarioLike) -> forecast_pb2.Scenario:
        """Stores a scenario (a Scenario message, or a dict in protobuf's JSON mapping, e.g.
        {"name": "hire10", "base": "base", "hiringPlan": [...]}). ALREADY_EXISTS if the name is taken."""
        return self._call(self._forecasts.CreateScenario, _scenario(scenario))

    def update_scenario(self, scenario: ScenarioLike) -> forecast_pb2.Scenario:
        return self._call(self._forecasts.UpdateScenario, _scenario(scenario))

    def get_scenario(self, name: str, *, resolved: bool = False) -> forecast_pb2.Scenario:
        """The stored scenario; resolved=True fills in its base and every default."""
        return self._call(self._forecasts.GetScenario, forecast_pb2.GetScenarioRequest(name=name, resolved=resolved))

    def list_scenarios(self) -> List[forecast_pb2.Scenario]:
        """Stored scenarios: name, base and description."""
        return list(self._call(self._forecasts.ListScenarios, forecast_pb2.ListScenariosRequest()).scenarios)

    def delete_scenario(self, name: str) -> None:
        self._call(self._forecasts.DeleteScenario, forecast_pb2.DeleteScenarioRequest(name=name))

    def calibrate(self, *, as_of: DateLike = None, base: str = "", save_as: str = "") -> Calibration:
        """Fits a scenario to the actuals; each fitted value comes with its sample size."""
        reply = self._call(self._forecasts.Calibrate, forecast_pb2.CalibrateRequest(
            as_of=_date_text(as_of, "as_of"), base=base, save_as=save_as))
        return Calibration(reply.scenario, [FittedValue(v.field, v.value, v.sample_size, v.fitted)
                                            for v in reply.values])

    # ---- Forecasts ----------------------------------------------------------------------------

    @staticmethod
    def forecast_request(scenario: str = "", *, inline_scenario: Optional[ScenarioLike] = None,
                         as_of: DateLike = None, horizon: int = 36, paths: int = 10000, seed: int = 0,
                         quantiles: Sequence[float] = (0.1, 0.5, 0.9), strain_months: float = 0,
                         targets: Optional[Mapping[str, float]] = None,
                         target_relative_error: float = 0) -> forecast_pb2.ForecastRequest:
        """The ForecastRequest message the keyword arguments describe (forecast and compare use it)."""
        request = forecast_pb2.ForecastRequest(
            scenario=scenario, as_of=_date_text(as_of, "as_of"), horizon_months=horizon, paths=paths, seed=seed,
            quantiles=list(quantiles), strain_months=strain_months, target_relative_error=target_relative_error)
        if inline_scenario is not None:
            request.inline_scenario.CopyFrom(_scenario(inline_scenario))
        for metric, value in (targets or {}).items():
            request.targets.add(metric=_choice(_METRIC_VALUES, metric, "targets"), value=value)
        return request

    def forecast(self, scenario: str = "", *, progress: Optional[ProgressCallback] = None,
                 timeout: Optional[float] = None, **settings) -> Forecast:
        """Runs a Monte Carlo forecast. `settings` are forecast_request's: inline_scenario, as_of,
        horizon, paths, seed, quantiles, strain_months, targets ({"revenue": 1e6} asks P(revenue >=
        1e6) per month), target_relative_error (stop early once every mean is that precise).

        With `progress`, the forecast streams: progress(Progress) is called while it waits for a
        turn on the server (queue_position > 0) and as paths complete (with partial summaries now
        and then); returning False cancels the forecast on the server and
        raises ForecastleError with code CANCELLED."""
        request = self.forecast_request(scenario, **settings)
        if progress is None:
            return _forecast(self._call(self._forecasts.Forecast, request, timeout))
        stream = self._forecasts.StreamForecast(request, timeout=timeout if timeout is not None else self.timeout)
        final = None
        try:
            for update in stream:
                partial = _forecast(update.partial) if update.HasField("partial") else None
                if update.done:
                    final = partial
                if progress(Progress(update.paths_done, update.paths_total, partial,
                                     update.queue_position)) is False:
                    stream.cancel()
                    raise ForecastleError(grpc.StatusCode.CANCELLED, "forecast cancelled by the progress callback")
        except grpc.RpcError as error:
            raise ForecastleError.from_rpc(error) from None
        if final is None:
            raise ForecastleError(grpc.StatusCode.INTERNAL, "the forecast stream ended without a result")
        return final

    def compare(self, base: str = "", variants: Sequence[str] = (), *, timeout: Optional[float] = None,
                **settings) -> Comparison:
        """Runs the base scenario and each variant on common random numbers: every variant's
        forecast, its difference from the base path by path, and P(variant > base) per month."""
        if not variants:
            raise ForecastleError(grpc.StatusCode.INVALID_ARGUMENT, "variants: name at least one scenario", "variants")
        request = forecast_pb2.CompareRequest(base=self.forecast_request(base, **settings), variants=list(variants))
        reply = self._call(self._forecasts.Compare, request, timeout)
        quantiles = tuple(reply.base.quantiles)
        return Comparison(
            base=_forecast(reply.base),
            variants={v.forecast.scenario: VariantComparison(
                _forecast(v.forecast), _summaries(v.difference, quantiles),
                {_metric_name(m): [s.mean for s in m.months] for m in v.probability_higher}) for v in reply.variants})

    def backtest(self, from_month: Union[datetime.date, str], to_month: Union[datetime.date, str, None] = None, *,
                 step_months: int = 3, horizon_months: int = 12, paths: int = 1000, seed: int = 1,
                 scenario: str = "", calibrate: bool = True, timeout: Optional[float] = None) -> Backtest:
        """Replays forecasts from the month ends of from_month..to_month (default: from_month only)
        every `step_months`, each from only what the ledger held on that date (and calibrated then,
        unless calibrate=False), and scores each of the `horizon_months` forecast months against the
        exact actuals that followed (SPEC §4.5): coverage of P10-P90 and P25-P75, PIT histogram,
        bias, CRPS, and skill against the best naive peer. `paths` per forecast, [2, 100000];
        `scenario`: the stored scenario to start from ("" = the defaults)."""
        request = forecast_pb2.BacktestRequest(
            scenario=scenario, to=_month_text(to_month, "to") if to_month is not None else "",
            step_months=step_months, horizon_months=horizon_months, paths=paths, seed=seed,
            no_calibration=not calibrate)
        setattr(request, "from", _month_text(from_month, "from"))
        reply = self._call(self._forecasts.Backtest, request, timeout)
        return Backtest(as_of=[parse_date(d) for d in reply.as_of], overall=[_backtest_score(s) for s in reply.overall],
                        cells=[_backtest_score(s) for s in reply.cells])

    # ---- Tokens (an admin token's calls) ------------------------------------------------------

    def create_token(self, name: str, role: str) -> Tuple[admin_pb2.Token, str]:
        """A new bearer token of `role` (reader, planner, writer or admin): its listing and its
        secret, which the server shows this once and keeps only as a hash."""
        reply = self._call(self._admin.CreateToken,
                           admin_pb2.CreateTokenRequest(name=name, role=_choice(_ROLES, role, "role")))
        return reply.token, reply.secret

    def list_tokens(self) -> List[admin_pb2.Token]:
        """Every token by id (revoked ones with revoked_at set); never a secret."""
        return list(self._call(self._admin.ListTokens, admin_pb2.ListTokensRequest()).tokens)

    def revoke_token(self, token_id: int) -> admin_pb2.Token:
        """Refuses the token from the next call on. NOT_FOUND for an unknown id."""
        return self._call(self._admin.RevokeToken, admin_pb2.RevokeTokenRequest(id=token_id)).token
