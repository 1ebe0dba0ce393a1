"""The Python client against a live forecastle-server started here.

Environment: FORECASTLE_SERVER_BIN and FORECASTLE_CLI_BIN name the built binaries (the C++ CLI
generates the sample company and prints the actuals the client must match to the cent).
Run by tests/run_python_client.sh (ctest: client_python_test).
"""
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
from concurrent import futures
from datetime import date
from decimal import Decimal
from pathlib import Path

import grpc

import forecastle
import forecastle.v1.admin_pb2
import forecastle.v1.forecast_pb2
import forecastle.v1.ledger_pb2
import forecastle.v1.ledger_pb2_grpc

SERVER = os.environ.get("FORECASTLE_SERVER_BIN", "build/server/forecastle-server")
CLI = os.environ.get("FORECASTLE_CLI_BIN", "build/client/forecastle")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MAKE_CERTS = os.environ.get("FORECASTLE_MAKE_CERTS",
                            str(Path(__file__).resolve().parents[3] / "tests" / "testing" / "make_certs.sh"))
AS_OF = "2026-10-31"


class LiveServer:
    def __init__(self, folder: str, *flags: str):
        self.process = subprocess.Popen([SERVER, "--listen=127.0.0.1:0", f"--db={folder}/forecastle.db", *flags],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on (\S+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"forecastle-server did not start: {line!r}")
        self.address = match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.process.stdout.close()


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.sample = os.path.join(cls.tmp.name, "sample")
        subprocess.run([CLI, "sample", "--out", cls.sample, "--contracts", "500", "--seed", "3"], check=True,
                       stdout=subprocess.DEVNULL)
        cls.server = LiveServer(cls.tmp.name)
        cls.client = forecastle.Client(cls.server.address, timeout=120)
        cls.imported = cls.client.import_csv(cls.sample, batch_size=1000)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()
        cls.server.stop()
        cls.tmp.cleanup()

    def cli(self, *args: str) -> str:
        return subprocess.run([CLI, *args, "--server", self.server.address], check=True, capture_output=True,
                              text=True).stdout

    def test_import_stores_every_record_of_the_sample(self) -> None:
        rows = sum(len(Path(self.sample, f).read_text().splitlines()) - 1 for f in os.listdir(self.sample))
        self.assertEqual(self.imported.errors, [])
        self.assertEqual(self.imported.received, rows)
        self.assertEqual(self.imported.created + self.imported.unchanged, rows)
        self.assertEqual(self.imported.batches, -(-rows // 1000))
        self.assertEqual(self.client.summary()["records"], rows)
        # The sample's headcount.csv is one of the files: the delivery team's FTE month by month.
        headcount = len(Path(self.sample, "headcount.csv").read_text().splitlines()) - 1
        self.assertGreater(headcount, 0)
        self.assertEqual(self.client.summary()["headcount"], headcount)
        again = self.client.import_csv(self.sample)  # idempotent
        self.assertEqual((again.created, again.unchanged), (0, rows))

    def test_refused_rows_come_back_with_file_line_and_field(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "customers.csv").write_text("customer_id,name,segment\nOK-1,Fine,smb\n")
            Path(folder, "invoices.csv").write_text(
                "invoice_id,contract_id,issued_on,amount,due_on\nI-1,NO-SUCH,2026-01-05,10.00,\nI-2,X,2026-13-01,1,\n")
            result = self.client.import_csv(folder)
        self.assertEqual(result.created, 1)
        located = {(e.file, e.line, e.field) for e in result.errors}
        self.assertEqual(located, {("invoices.csv", 2, "contract_id"), ("invoices.csv", 3, "issued_on")})

    def test_actuals_equal_what_the_cli_prints_to_the_cent(self) -> None:
        table = self.client.metrics("2025-11", "2026-10", as_of=AS_OF)[0]
        printed = list(csv.DictReader(io.StringIO(self.cli(
            "actuals", "--from", "2025-11", "--to", "2026-10", "--as-of", AS_OF, "--format", "csv"))))
        self.assertEqual([p.period for p in table.periods], [row["period"] for row in printed])
        for period, row in zip(table.periods, printed):
            for column in ("bookings", "bookings_new", "revenue", "billings", "collections", "backlog",
                           "unbilled_backlog", "deferred_revenue", "contract_assets", "accounts_receivable"):
                value = getattr(period, column)
                self.assertIsInstance(value, Decimal)
                self.assertEqual(value, Decimal(row[column]), f"{period.period} {column}")
        self.assertEqual(table.periods[0].first_day, date(2025, 11, 1))
        self.assertGreater(sum(p.revenue for p in table.periods), 0)
        backlog = self.client.backlog(as_of=AS_OF)[0]
        self.assertEqual(backlog.backlog, table.periods[-1].backlog)
        self.assertEqual(sum(backlog.aging.values()), backlog.backlog)

    def test_forecast_reports_progress_and_replays_bit_for_bit(self) -> None:
        seen = []
        fc = self.client.forecast(as_of=AS_OF, horizon=12, paths=3000, seed=11, progress=seen.append)
        self.assertGreaterEqual(len(seen), 2)
        self.assertEqual([p.paths_done for p in seen], sorted(p.paths_done for p in seen))
        self.assertEqual(seen[-1].paths_done, 3000)
        self.assertEqual(fc.paths, 3000)
        self.assertEqual(len(fc.metrics), 13)
        self.assertEqual(fc.months()[0], date(2026, 11, 1))
        self.assertEqual(len(fc.metrics["revenue"]), 12)
        revenue = fc.metrics["revenue"][0]
        self.assertLessEqual(revenue.p10, revenue.p50)
        self.assertLessEqual(revenue.p50, revenue.p90)
        self.assertEqual(fc.actuals[-1].period, "2026-10")
        unary = self.client.forecast(as_of=AS_OF, horizon=12, paths=3000, seed=11)
        self.assertEqual(unary.metrics, fc.metrics)
        self.assertEqual(tuple(fc.metrics), forecastle.METRICS)

    def test_metrics_travel_as_the_enum_and_read_back_by_name(self) -> None:
        self.assertEqual(len(forecastle.METRICS), 13)
        self.assertEqual(forecastle.METRICS[:2], ("bookings", "revenue"))
        request = self.client.forecast_request(targets={"work_backlog_hours": 100.0})
        self.assertEqual(request.targets[0].metric, forecastle.v1.forecast_pb2.METRIC_WORK_BACKLOG_HOURS)
        self.assertEqual(request.targets[0].metric_name, "")
        fc = self.client.forecast(as_of=AS_OF, horizon=3, paths=200, seed=3, targets={"revenue": 0.0})
        self.assertEqual([(t.metric, t.probability) for t in fc.target_probabilities], [("revenue", [1.0, 1.0, 1.0])])
        with self.assertRaises(forecastle.ForecastleError) as caught:
            self.client.forecast_request(targets={"profit": 1.0})
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(caught.exception.field, "targets")
        self.assertIn("'profit'", str(caught.exception))

    def test_compare_runs_two_scenarios_on_common_random_numbers(self) -> None:
        self.client.create_scenario({"name": "py_hire", "hiringPlan": [
            {"team": "delivery", "month": "2026-11", "count": 10}]})
        self.assertIn("py_hire", [s.name for s in self.client.list_scenarios()])
        comparison = self.client.compare("", ["py_hire"], as_of=AS_OF, horizon=6, paths=2000, seed=5)
        hire = comparison.variants["py_hire"]
        # Ten hires requested in November start after the 2-month time to fill.
        self.assertEqual(hire.difference["headcount"][0].mean, 0)
        self.assertGreater(hire.difference["headcount"][3].mean, 9)
        self.assertEqual(hire.probability_higher["delivery_cost"][4], 1.0)
        self.client.delete_scenario("py_hire")
        with self.assertRaises(forecastle.ForecastleError) as caught:
            self.client.get_scenario("py_hire")
        self.assertEqual(caught.exception.code, grpc.StatusCode.NOT_FOUND)

    def test_a_long_forecast_cancels_promptly(self) -> None:
        started = time.monotonic()
        with self.assertRaises(forecastle.ForecastleError) as caught:
            self.client.forecast(as_of=AS_OF, horizon=36, paths=100000, progress=lambda p: False)
        self.assertEqual(caught.exception.code, grpc.StatusCode.CANCELLED)
        self.assertLess(time.monotonic() - started, 10)
        # The server is free again: a small forecast runs.
        self.assertEqual(self.client.forecast(as_of=AS_OF, horizon=2, paths=100).paths, 100)

    def test_bad_requests_raise_a_typed_error_naming_the_field(self) -> None:
        cases = [
            (lambda: self.client.forecast(horizon=500), "horizon_months"),
            (lambda: self.client.create_scenario({"name": "bad", "segments": [{"name": "smb", "winRate": 1.5}]}),
             "segments[0].win_rate"),
            (lambda: self.client.metrics("2026-13", "2026-14"), "from"),
            (lambda: self.client.metrics("2026-01", "2026-02", grain="week"), "grain"),
        ]
        for call, field in cases:
            with self.subTest(field=field), self.assertRaises(forecastle.ForecastleError) as caught:
                call()
            self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
            self.assertEqual(caught.exception.field, field)
        self.assertNotIn("bad", [s.name for s in self.client.list_scenarios()])

    def test_calibration_reports_sample_sizes(self) -> None:
        calibration = self.client.calibrate(as_of=AS_OF)
        self.assertTrue(calibration.values)
        for value in calibration.values:
            self.assertEqual(value.fitted, value.sample_size >= 10, value)

    def test_backtest_scores_past_forecasts_against_the_actuals(self) -> None:
        # As-of 2025-06-30 and 2025-12-31, six months each: scored by actuals through 2026-06.
        result = self.client.backtest("2025-06", "2025-12", step_months=6, horizon_months=6, paths=100)
        self.assertIsInstance(result, forecastle.Backtest)
        self.assertEqual(result.as_of, [date(2025, 6, 30), date(2025, 12, 31)])
        self.assertEqual(len(result.overall), 8)
        self.assertEqual(result.overall[0].metric, "bookings")
        self.assertEqual(len(result.cells), 8 * 6)
        for score in result.overall:
            with self.subTest(metric=score.metric):
                self.assertEqual(score.horizon_month, 0)
                self.assertEqual(score.forecasts, 2 * 6)
                self.assertGreaterEqual(score.coverage_80, score.coverage_50)
                self.assertEqual(len(score.pit), 10)
                self.assertEqual(sum(score.pit), score.forecasts)
                self.assertIn(score.best_peer, score.peers)
                self.assertTrue(all(v is None or v >= 0 for v in score.peers.values()))
                if score.skill is not None:
                    self.assertAlmostEqual(score.skill, 1 - score.crps / score.peers[score.best_peer])
        self.assertEqual(result.score("revenue", 3), result.cells[1 * 6 + 2])
        self.assertIsNone(result.overall[0].peers["persistence"])  # a flow has no persistence peer
        with self.assertRaises(forecastle.ForecastleError) as caught:
            self.client.backtest("2025-06", "2025-12", step_months=13)
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(caught.exception.field, "step_months")
        self.assertIn("step_months", caught.exception.message)

    def test_examples_run(self) -> None:
        for example in ("hiring_comparison.py", "capacity_question.py"):
            with self.subTest(example=example):
                out = subprocess.run([sys.executable, str(EXAMPLES / example), "--server", self.server.address,
                                      "--as-of", AS_OF, "--paths", "1000", "--horizon", "6"],
                                     check=True, capture_output=True, text=True).stdout
                self.assertRegex(out, r"2027-04")
        self.assertIn("plan_a_hire5_now", [s.name for s in self.client.list_scenarios()])


class ImportAccountingTest(unittest.TestCase):
    """Imports against a server of their own: every record sent is accounted for, or the import raises."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = LiveServer(cls.tmp.name)
        cls.client = forecastle.Client(cls.server.address, timeout=120)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()
        cls.server.stop()
        cls.tmp.cleanup()

    def test_a_file_that_is_not_utf8_is_refused_before_anything_is_sent(self) -> None:
        before = self.client.summary()["records"]
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "customers.csv").write_text("customer_id,name,segment\nU-1,Fine,smb\n")
            Path(folder, "opportunities.csv").write_bytes(
                b"opportunity_id,segment,amount,created_on,status,stage\n"
                b"U-O1,smb,10,2026-01-05,open,qualify\n"
                b"U-O2,smb,10,2026-01-05,open,Negotiat\xe9\n")
            with self.assertRaises(forecastle.ForecastleError) as caught:
                self.client.import_csv(folder)
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(caught.exception.message, 'opportunities.csv:3: stage: not valid UTF-8: byte 0xE9 after '
                                                   '"Negotiat" in column 6; the file must be UTF-8')
        self.assertEqual(caught.exception.field, "stage")
        self.assertEqual(self.client.summary()["records"], before)  # not even customers.csv

    def test_a_retried_run_applies_nothing_twice_and_answers_the_first_counts(self) -> None:
        customers = [forecastle.v1.ledger_pb2.Customer(customer_id=f"RUN-{i}", segment="smb") for i in range(5)]
        first = self.client.import_records(customers, batch_size=2, run_id="py-retry")
        self.assertEqual((first.created, first.batches, first.replayed_batches), (5, 3, 0))
        again = self.client.import_records(customers, batch_size=2, run_id="py-retry")
        self.assertEqual(again, forecastle.ImportResult(5, 5, 0, [], 3, 3))
        fresh = self.client.import_records(customers, batch_size=2)  # a new run: identical records are no-ops
        self.assertEqual((fresh.created, fresh.unchanged, fresh.replayed_batches), (0, 5, 0))

    def test_a_stream_that_fails_raises_with_what_was_acknowledged(self) -> None:
        ledger = forecastle.v1.ledger_pb2
        self.client.import_records([ledger.Customer(customer_id=f"PART-{i}") for i in range(4)], batch_size=2,
                                   run_id="py-part")
        # Batch 1 is the same, batch 2 differs: the server acknowledges batch 1, then refuses the id.
        with self.assertRaises(forecastle.ImportIncomplete) as caught:
            self.client.import_records([ledger.Customer(customer_id=c) for c in ("PART-0", "PART-1", "X", "Y")],
                                       batch_size=2, run_id="py-part")
        failed = caught.exception
        self.assertEqual(failed.code, grpc.StatusCode.ALREADY_EXISTS)
        self.assertIn("import stream: message 2: batch_id", failed.message)
        self.assertEqual((failed.batches_sent, failed.records_sent), (2, 4))
        self.assertEqual((failed.acknowledged.batches, failed.acknowledged.received), (1, 2))
        self.assertEqual(failed.run_id, "py-part")

    def test_a_message_that_does_not_parse_ends_the_raw_stream_naming_it(self) -> None:
        ledger = forecastle.v1.ledger_pb2
        channel = grpc.insecure_channel(self.server.address)
        identity = lambda b: b  # noqa: E731  raw bytes in and out
        stream = channel.stream_stream("/forecastle.v1.LedgerService/Import", request_serializer=identity,
                                       response_deserializer=ledger.ImportReply.FromString)

        def batch(batch_id: str, segment: str) -> bytes:
            return ledger.ImportRequest(batch=ledger.ImportBatch(batch_id=batch_id, records=[ledger.Record(
                customer=ledger.Customer(customer_id=batch_id, segment=segment))])).SerializeToString()

        not_utf8 = batch("raw-2", "Caf_").replace(b"Caf_", b"Caf\xe9")
        end = ledger.ImportRequest(end=ledger.ImportEnd(batches=3, records=3)).SerializeToString()
        replies = []
        with self.assertRaises(grpc.RpcError) as caught:
            for reply in stream(iter([batch("raw-1", "smb"), not_utf8, batch("raw-3", "smb"), end]), timeout=30):
                replies.append(reply)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("import stream: message 2: not received", caught.exception.details())
        self.assertEqual([r.batch.batch_id for r in replies], ["raw-1"])
        channel.close()

    def test_acknowledgements_that_differ_from_what_was_sent_raise_data_loss(self) -> None:
        ledger, ledger_grpc = forecastle.v1.ledger_pb2, forecastle.v1.ledger_pb2_grpc

        class OneShort(ledger_grpc.LedgerServiceServicer):
            """Acknowledges every batch one record short, and sums its acks faithfully."""
            def Import(self, requests, context):
                received = 0
                for request in requests:
                    if request.HasField("end"):
                        yield ledger.ImportReply(summary=ledger.ImportSummary(batches=1, received=received,
                                                                              created=received))
                        continue
                    received = len(request.batch.records) - 1
                    yield ledger.ImportReply(batch=ledger.ImportBatchAck(
                        batch_id=request.batch.batch_id, message=1, received=received, created=received))

        fake = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        ledger_grpc.add_LedgerServiceServicer_to_server(OneShort(), fake)
        port = fake.add_insecure_port("127.0.0.1:0")
        fake.start()
        try:
            with forecastle.Client(f"127.0.0.1:{port}", timeout=30) as liar, \
                    self.assertRaises(forecastle.ImportIncomplete) as caught:
                liar.import_records([ledger.Customer(customer_id=f"L{i}") for i in range(3)], run_id="lie")
        finally:
            fake.stop(None)
        self.assertEqual(caught.exception.code, grpc.StatusCode.DATA_LOSS)
        self.assertIn("batch 1 (lie-1): 3 records sent, 2 acknowledged", caught.exception.message)
        self.assertEqual(caught.exception.acknowledged.received, 2)


class TlsTest(unittest.TestCase):
    """TLS and mutual TLS with a CA and certificates made for this run (tests/testing/make_certs.sh)."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.certs = Path(cls.tmp.name, "certs")
        subprocess.run([MAKE_CERTS, str(cls.certs)], check=True, capture_output=True)
        tls = (f"--tls_cert={cls.certs / 'server.crt'}", f"--tls_key={cls.certs / 'server.key'}")
        os.makedirs(os.path.join(cls.tmp.name, "tls"))
        cls.tls_server = LiveServer(os.path.join(cls.tmp.name, "tls"), *tls)
        cls.server = LiveServer(cls.tmp.name, *tls, f"--client_ca={cls.certs / 'ca.crt'}")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tls_server.stop()
        cls.server.stop()
        cls.tmp.cleanup()

    def test_tls_with_ca(self) -> None:
        with forecastle.Client(self.tls_server.address, timeout=20, ca=self.certs / "ca.crt") as client:
            self.assertEqual(client.summary()["records"], 0)
        for options in ({"ca": self.certs / "other-ca.crt"}, {}):
            with self.subTest(options=options), forecastle.Client(self.tls_server.address, timeout=20,
                                                                  **options) as client:
                with self.assertRaises(forecastle.ForecastleError) as caught:
                    client.summary()
                self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)

    def test_mutual_tls_with_ca_cert_and_key_as_paths_bytes_or_environment(self) -> None:
        ca, cert, key = (self.certs / name for name in ("ca.crt", "client.crt", "client.key"))
        with forecastle.Client(self.server.address, timeout=20, ca=ca, cert=str(cert), key=key) as client:
            self.assertEqual(client.summary()["records"], 0)
        with forecastle.Client(self.server.address, timeout=20, ca=ca.read_bytes(), cert=cert.read_bytes(),
                               key=key.read_bytes()) as client:
            self.assertEqual(client.summary()["records"], 0)
        environment = {"FORECASTLE_CA": str(ca), "FORECASTLE_CERT": str(cert), "FORECASTLE_KEY": str(key)}
        saved = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        try:
            with forecastle.Client(self.server.address, timeout=20) as client:
                self.assertEqual(client.summary()["records"], 0)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def test_mutual_tls_refuses_a_client_without_a_certificate(self) -> None:
        with forecastle.Client(self.server.address, timeout=20, ca=self.certs / "ca.crt") as client:
            with self.assertRaises(forecastle.ForecastleError) as caught:
                client.summary()
            self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)

    def test_files_that_cannot_be_read_and_a_lone_cert_are_refused_naming_them(self) -> None:
        with self.assertRaises(forecastle.ForecastleError) as caught:
            forecastle.Client(self.server.address, ca="/nonexistent/ca.crt")
        self.assertEqual(caught.exception.message, "ca: cannot read /nonexistent/ca.crt: No such file or directory")
        self.assertEqual(caught.exception.field, "ca")
        with self.assertRaises(forecastle.ForecastleError) as caught:
            forecastle.Client(self.server.address, cert=self.certs / "client.crt")
        self.assertIn("key is missing", caught.exception.message)


class TokenTest(unittest.TestCase):
    """A server with --auth: the token goes with every call (unary and streamed), roles are kept."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.admin = subprocess.run([SERVER, f"--db={cls.tmp.name}/forecastle.db", "--create_token=ops", "--role=admin"],
                                   check=True, capture_output=True, text=True).stdout.strip()
        cls.server = LiveServer(cls.tmp.name, "--auth")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.stop()
        cls.tmp.cleanup()

    def test_token_roles_and_revocation(self) -> None:
        with forecastle.Client(self.server.address, timeout=20, token="") as anonymous:
            with self.assertRaises(forecastle.ForecastleError) as caught:
                anonymous.summary()
            self.assertEqual(caught.exception.code, grpc.StatusCode.UNAUTHENTICATED)
        with forecastle.Client(self.server.address, timeout=20, token=self.admin) as admin:
            listing, writer = admin.create_token("loader", "writer")
            reader_listing, reader = admin.create_token("dashboard", "reader")
            self.assertEqual(listing.role, forecastle.v1.admin_pb2.ROLE_WRITER)
            self.assertEqual([t.name for t in admin.list_tokens()], ["ops", "loader", "dashboard"])
            self.assertNotIn(writer.encode(), b"".join(t.SerializeToString() for t in admin.list_tokens()))
        customer = forecastle.v1.ledger_pb2.Customer(customer_id="C1", name="Acme")
        with forecastle.Client(self.server.address, timeout=20, token=writer) as client:
            self.assertEqual(client.import_records([customer]).created, 1)  # a streamed call
            self.assertEqual(client.summary()["customers"], 1)
        os.environ["FORECASTLE_TOKEN"] = reader
        try:
            with forecastle.Client(self.server.address, timeout=20) as client:
                self.assertEqual(client.summary()["customers"], 1)
                with self.assertRaises(forecastle.ForecastleError) as caught:
                    client.put(forecastle.v1.ledger_pb2.Customer(customer_id="C2"))
                self.assertEqual(caught.exception.code, grpc.StatusCode.PERMISSION_DENIED)
                self.assertIn("needs the writer role", caught.exception.message)
                with forecastle.Client(self.server.address, timeout=20, token=self.admin) as admin:
                    self.assertNotEqual(admin.revoke_token(reader_listing.id).revoked_at, "")
                with self.assertRaises(forecastle.ForecastleError) as caught:
                    client.summary()
                self.assertEqual(caught.exception.code, grpc.StatusCode.UNAUTHENTICATED)
        finally:
            del os.environ["FORECASTLE_TOKEN"]


if __name__ == "__main__":
    unittest.main(verbosity=2)
