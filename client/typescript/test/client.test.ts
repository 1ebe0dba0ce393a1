// The TypeScript client against a live forecastle-server started here. FORECASTLE_SERVER_BIN and
// FORECASTLE_CLI_BIN name the built binaries (default: ../../build/...); the C++ CLI generates the
// sample company and prints the actuals the client must match to the cent.
import * as assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

import { Client, ForecastleError, ImportIncompleteError, METRICS, cents, fieldOf, notUtf8, parseCsv } from "../src";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const SERVER = process.env.FORECASTLE_SERVER_BIN ?? path.join(ROOT, "build", "server", "forecastle-server");
const CLI = process.env.FORECASTLE_CLI_BIN ?? path.join(ROOT, "build", "client", "forecastle");
const AS_OF = "2026-10-31";

let server: ChildProcess;
let address = "";
let tmp = "";
let client: Client;
let imported: Awaited<ReturnType<Client["importCsv"]>>;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "forecastle-ts-"));
  execFileSync(CLI, ["sample", "--out", path.join(tmp, "sample"), "--contracts", "500", "--seed", "4"]);
  server = spawn(SERVER, ["--listen=127.0.0.1:0", `--db=${path.join(tmp, "f.db")}`], { stdio: ["ignore", "pipe", "inherit"] });
  address = await new Promise<string>((resolve, reject) => {
    server.stdout!.once("data", (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match) resolve(match[1]);
      else reject(new Error(`server did not start: ${chunk}`));
    });
    server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  client = new Client(address, { timeoutMs: 120_000 });
  imported = await client.importCsv(path.join(tmp, "sample"), { batchSize: 1000 });
});

after(() => {
  client?.close();
  server?.kill("SIGTERM");
  fs.rmSync(tmp, { recursive: true, force: true });
});

function cli(...args: string[]): string {
  return execFileSync(CLI, [...args, "--server", address]).toString();
}

describe("forecastle TypeScript client", () => {
  it("imports the sample company, every record", async () => {
    let rows = 0;
    for (const file of fs.readdirSync(path.join(tmp, "sample"))) {
      rows += [...parseCsv(fs.readFileSync(path.join(tmp, "sample", file), "utf8"))].length;
    }
    assert.deepEqual(imported.errors, []);
    assert.equal(imported.received, rows);
    assert.equal(imported.created, rows);
    assert.equal(imported.batches, Math.ceil(rows / 1000));
    assert.equal((await client.summary()).records, rows);
    // The sample's headcount.csv is one of the files: the delivery team's FTE month by month.
    const headcount = [...parseCsv(fs.readFileSync(path.join(tmp, "sample", "headcount.csv"), "utf8"))].length;
    assert.ok(headcount > 0);
    assert.equal((await client.summary()).headcount, headcount);
    const again = await client.importCsv(path.join(tmp, "sample"));
    assert.equal(again.unchanged, rows);
  });

  it("reports refused rows with file, line and field", async () => {
    const folder = fs.mkdtempSync(path.join(tmp, "bad-"));
    fs.writeFileSync(path.join(folder, "customers.csv"), "customer_id,name,segment\nTS-OK,\"Fine, Inc.\",smb\n");
    fs.writeFileSync(path.join(folder, "invoices.csv"),
      "invoice_id,contract_id,issued_on,amount,due_on\nTS-I1,NO-SUCH,2026-01-05,10.00,\nTS-I2,X,2026-13-01,1,\n");
    const result = await client.importCsv(folder);
    assert.equal(result.created, 1);
    assert.deepEqual(result.errors.map((e) => [e.file, e.line, e.field]),
      [["invoices.csv", 2, "contract_id"], ["invoices.csv", 3, "issued_on"]]);
  });

  it("returns the actuals the C++ CLI prints, to the cent", async () => {
    const [company] = await client.metrics({ from: "2025-11", to: "2026-10", asOf: AS_OF });
    const printed = [...parseCsv(cli("actuals", "--from", "2025-11", "--to", "2026-10", "--as-of", AS_OF, "--format", "csv"))];
    assert.equal(company.periods.length, printed.length);
    company.periods.forEach((p, i) => {
      const row = printed[i].cells;
      assert.equal(p.period, row.period);
      for (const column of ["bookings", "revenue", "billings", "collections", "backlog", "unbilled_backlog",
        "deferred_revenue", "contract_assets", "accounts_receivable"] as const) {
        assert.equal(cents(p[column]), cents(row[column]), `${p.period} ${column}`);
      }
    });
    const [backlog] = await client.backlog({ asOf: AS_OF });
    assert.equal(backlog.backlog, company.periods[company.periods.length - 1].backlog);
    assert.equal(backlog.aging.reduce((sum, a) => sum + cents(a.amount), 0n), cents(backlog.backlog));
  });

  it("forecasts with progress and replays bit for bit", async () => {
    const seen: number[] = [];
    const fc = await client.forecast({ asOf: AS_OF, horizon: 12, paths: 3000, seed: 11 },
      { onProgress: (p) => seen.push(p.pathsDone) });
    assert.ok(seen.length >= 2, `progress ${seen}`);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
    assert.equal(seen[seen.length - 1], 3000);
    assert.equal(fc.paths, 3000);
    assert.equal(Object.keys(fc.metrics).length, 13);
    assert.equal(fc.metrics.revenue.length, 12);
    assert.equal(fc.metrics.revenue[0].month, "2026-11");
    const r = fc.metrics.revenue[0];
    assert.ok(r.p10! <= r.p50! && r.p50! <= r.p90!);
    assert.equal(fc.actuals[fc.actuals.length - 1].period, "2026-10");
    const unary = await client.forecast({ asOf: AS_OF, horizon: 12, paths: 3000, seed: 11 });
    assert.deepEqual(unary.metrics, fc.metrics);
    assert.deepEqual(Object.keys(fc.metrics), [...METRICS]);
  });

  it("sends metrics as the enum and reads them back by name", async () => {
    assert.equal(METRICS.length, 13);
    assert.deepEqual(METRICS.slice(0, 2), ["bookings", "revenue"]);
    const request = Client.forecastRequest({ targets: { work_backlog_hours: 100 } });
    assert.deepEqual(request.targets, [{ metric: "METRIC_WORK_BACKLOG_HOURS", value: 100 }]);
    const fc = await client.forecast({ asOf: AS_OF, horizon: 3, paths: 200, seed: 3, targets: { revenue: 0 } });
    assert.deepEqual(fc.targetProbabilities, [{ metric: "revenue", value: 0, probability: [1, 1, 1] }]);
    assert.throws(() => Client.forecastRequest({ targets: { profit: 1 } }),
      (e: unknown) => e instanceof ForecastleError && e.code === grpc.status.INVALID_ARGUMENT && e.field === "targets" &&
        e.details.includes('"profit"'));
  });

  it("compares two scenarios on common random numbers", async () => {
    await client.createScenario({ name: "ts_hire", hiring_plan: [{ team: "delivery", month: "2026-11", count: 10 }] });
    assert.ok((await client.listScenarios()).some((s) => s.name === "ts_hire"));
    const comparison = await client.compare("", ["ts_hire"], { asOf: AS_OF, horizon: 6, paths: 2000, seed: 5 });
    const [hire] = comparison.variants;
    assert.equal(hire.forecast.scenario, "ts_hire");
    assert.equal(hire.difference.headcount[0].mean, 0); // hires start after the 2-month time to fill
    assert.ok(hire.difference.headcount[3].mean > 9);
    assert.equal(hire.probabilityHigher.delivery_cost[4], 1);
    await client.deleteScenario("ts_hire");
    await assert.rejects(client.getScenario("ts_hire"), (e: ForecastleError) => e.codeName === "NOT_FOUND");
  });

  it("cancels a long forecast through an AbortSignal", async () => {
    const controller = new AbortController();
    const started = Date.now();
    await assert.rejects(
      client.forecast({ asOf: AS_OF, horizon: 36, paths: 100000 }, { signal: controller.signal, onProgress: () => controller.abort() }),
      (e: ForecastleError) => e instanceof ForecastleError && e.codeName === "CANCELLED");
    assert.ok(Date.now() - started < 10_000);
    // Leaving a stream early cancels it too, and the server is free again.
    for await (const progress of client.streamForecast({ asOf: AS_OF, horizon: 36, paths: 100000 })) {
      assert.ok(progress.pathsDone > 0);
      break;
    }
    assert.equal((await client.forecast({ asOf: AS_OF, horizon: 2, paths: 100 })).paths, 100);
  });

  it("raises a typed error naming the field", async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => client.forecast({ horizon: 500 }), "horizon_months"],
      [() => client.createScenario({ name: "bad", segments: [{ name: "smb", win_rate: 1.5 }] }), "segments[0].win_rate"],
      [() => client.metrics({ from: "2026-13", to: "2026-14" }), "from"],
    ];
    for (const [call, field] of cases) {
      await assert.rejects(call(), (e: ForecastleError) => {
        assert.ok(e instanceof ForecastleError);
        assert.equal(e.codeName, "INVALID_ARGUMENT");
        assert.equal(e.field, field);
        return true;
      });
    }
    assert.ok(!(await client.listScenarios()).some((s) => s.name === "bad"));
    assert.equal(fieldOf("paths must be in [1, 100], got 0"), "paths");
    assert.equal(cents("-12.5"), -1250n);
  });

  it("backtests past forecasts against the actuals", async () => {
    // As-of 2025-06-30 and 2025-12-31, six months each: scored by actuals through 2026-06.
    const result = await client.backtest({ from: "2025-06", to: "2025-12", stepMonths: 6, horizonMonths: 6, paths: 100 });
    assert.deepEqual(result.asOf, ["2025-06-30", "2025-12-31"]);
    assert.equal(result.overall.length, 8);
    assert.equal(result.overall[0].metric, "bookings");
    assert.equal(result.cells.length, 8 * 6);
    for (const score of result.overall) {
      assert.equal(score.horizonMonth, 0);
      assert.equal(score.forecasts, 2 * 6);
      assert.ok(score.coverage80 >= score.coverage50, `${score.metric} coverage`);
      assert.equal(score.pit.length, 10);
      assert.equal(score.pit.reduce((a, b) => a + b, 0), score.forecasts);
      assert.ok(score.bestPeer in score.peers, score.metric);
      assert.ok(Object.values(score.peers).every((v) => v === null || v >= 0), score.metric);
      if (score.skill !== undefined) assert.ok(Math.abs(score.skill - (1 - score.crps / score.peers[score.bestPeer]!)) < 1e-9);
    }
    assert.equal(result.overall[0].peers.persistence, null); // a flow has no persistence peer
    assert.equal(result.cells[6 + 2].metric, "revenue");
    assert.equal(result.cells[6 + 2].horizonMonth, 3);
    await assert.rejects(client.backtest({ from: "2025-06", to: "2025-12", stepMonths: 13 }), (e: ForecastleError) => {
      assert.ok(e instanceof ForecastleError);
      assert.equal(e.codeName, "INVALID_ARGUMENT");
      assert.equal(e.field, "step_months");
      assert.match(e.details, /step_months/);
      return true;
    });
  });

  it("runs the examples", () => {
    for (const example of ["hiring-comparison.js", "capacity-question.js"]) {
      const out = execFileSync(process.execPath, [path.join(__dirname, "..", "examples", example),
        "--server", address, "--as-of", AS_OF, "--paths", "1000", "--horizon", "6"]).toString();
      assert.match(out, /2027-04/, example);
    }
  });
});

// A server of its own per test, so these records stay out of the sample company above.
describe("import accounting", () => {
  const PROTO_DIR = path.resolve(__dirname, "..", "..", "proto");
  let own: ChildProcess;
  let ownClient: Client;
  let ownAddress = "";

  before(async () => {
    own = spawn(SERVER, ["--listen=127.0.0.1:0", `--db=${path.join(tmp, "accounting.db")}`], { stdio: ["ignore", "pipe", "inherit"] });
    ownAddress = await new Promise<string>((resolve, reject) => {
      own.stdout!.once("data", (chunk: Buffer) => {
        const match = /listening on (\S+)/.exec(chunk.toString());
        if (match) resolve(match[1]);
        else reject(new Error(`server did not start: ${chunk}`));
      });
    });
    ownClient = new Client(ownAddress, { timeoutMs: 60_000 });
  });
  after(() => {
    ownClient?.close();
    own?.kill("SIGTERM");
  });

  it("refuses a file that is not UTF-8 before sending anything, naming file:line and column", async () => {
    const folder = fs.mkdtempSync(path.join(tmp, "latin1-"));
    fs.writeFileSync(path.join(folder, "customers.csv"), "customer_id,name,segment\nU-1,Fine,smb\n");
    fs.writeFileSync(path.join(folder, "opportunities.csv"), Buffer.concat([
      Buffer.from("opportunity_id,segment,amount,created_on,status,stage\nU-O1,smb,10,2026-01-05,open,qualify\n"),
      Buffer.from("U-O2,smb,10,2026-01-05,open,Negotiat"), Buffer.from([0xe9]), Buffer.from("\n")]));
    const before = (await ownClient.summary()).records;
    await assert.rejects(ownClient.importCsv(folder), (e: ForecastleError) => {
      assert.equal(e.codeName, "INVALID_ARGUMENT");
      assert.equal(e.details, 'opportunities.csv:3: stage: not valid UTF-8: byte 0xE9 after "Negotiat" in column 6; the file must be UTF-8');
      return true;
    });
    assert.equal((await ownClient.summary()).records, before); // not even customers.csv
    assert.equal(notUtf8("x.csv", Buffer.from("a,b\n1,caf\u00e9\n")), undefined);
    assert.equal(notUtf8("x.csv", Buffer.from([0x61, 0xc3])), 'x.csv:1: header: not valid UTF-8: byte 0xC3 after "a" in column 1; the file must be UTF-8');
  });

  it("answers a retried run from the server's record, applying nothing twice", async () => {
    const customers = [0, 1, 2, 3, 4].map((i) => ({ customer: { customer_id: `TS-RUN-${i}`, segment: "smb" } }));
    const first = await ownClient.importRecords(customers, { batchSize: 2, runId: "ts-retry" });
    assert.deepEqual([first.created, first.batches, first.replayedBatches], [5, 3, 0]);
    const seen: number[] = [];
    const again = await ownClient.importRecords(customers, { batchSize: 2, runId: "ts-retry", onProgress: (n) => seen.push(n) });
    assert.deepEqual(again, { received: 5, created: 5, unchanged: 0, errors: [], batches: 3, replayedBatches: 3 });
    assert.deepEqual(seen, [2, 4, 5]); // acknowledgements counted as they arrive
    const fresh = await ownClient.importRecords(customers, { batchSize: 2 });
    assert.deepEqual([fresh.created, fresh.unchanged, fresh.replayedBatches], [0, 5, 0]);
  });

  it("rejects a stream that fails with what was acknowledged before it", async () => {
    const customer = (id: string) => ({ customer: { customer_id: id } });
    await ownClient.importRecords(["P0", "P1", "P2", "P3"].map(customer), { batchSize: 2, runId: "ts-part" });
    await assert.rejects(ownClient.importRecords(["P0", "P1", "X", "Y"].map(customer), { batchSize: 2, runId: "ts-part" }),
      (e: ImportIncompleteError) => {
        assert.ok(e instanceof ImportIncompleteError);
        assert.equal(e.codeName, "ALREADY_EXISTS");
        assert.match(e.details, /import stream: message 2: batch_id/);
        assert.deepEqual([e.batchesSent, e.recordsSent, e.acknowledged.batches, e.acknowledged.received], [2, 4, 1, 2]);
        return true;
      });
  });

  it("ends a raw stream whose second message does not parse, naming it", async () => {
    const raw = new grpc.Client(ownAddress, grpc.credentials.createInsecure());
    const identity = (b: Buffer) => b;
    const call = raw.makeBidiStreamRequest("/forecastle.v1.LedgerService/Import", identity, identity);
    const replies: Buffer[] = [];
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      call.on("data", (b: Buffer) => replies.push(b));
      call.on("error", () => undefined);
      call.on("status", resolve);
      // ImportRequest{batch{batch_id: "ts-raw-1", records: [{customer{customer_id: "ts-raw-1"}}]}}
      const batch = (id: string, extra: number[] = []) => {
        const customer = Buffer.from([0x0a, id.length, ...Buffer.from(id), ...extra]);
        const record = Buffer.from([0x0a, customer.length, ...customer]);
        const body = Buffer.from([0x0a, id.length, ...Buffer.from(id), 0x12, record.length, ...record]);
        return Buffer.from([0x12, body.length, ...body]);
      };
      call.write(batch("ts-raw-1"));
      call.write(batch("ts-raw-2", [0x1a, 0x04, 0x43, 0x61, 0x66, 0xe9])); // segment "Caf" + 0xE9
      call.write(batch("ts-raw-3"));
      call.write(Buffer.from([0x1a, 0x04, 0x08, 0x03, 0x10, 0x03])); // end{batches: 3, records: 3}
      call.end();
    });
    raw.close();
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    assert.match(status.details, /import stream: message 2: not received/);
    assert.equal(replies.length, 1); // batch 1's acknowledgement, nothing of later messages
    assert.ok(replies[0].includes(Buffer.from("ts-raw-1")));
  });

  it("rejects with DATA_LOSS when acknowledgements differ from what was sent", async () => {
    const definition = protoLoader.loadSync("forecastle/v1/ledger.proto", {
      keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] });
    const ledger = (grpc.loadPackageDefinition(definition) as any).forecastle.v1.LedgerService;
    const liar = new grpc.Server();
    liar.addService(ledger.service, {
      // Acknowledges every batch one record short, and sums its acknowledgements faithfully.
      Import: (call: grpc.ServerDuplexStream<any, any>) => {
        let received = 0;
        call.on("data", (request: any) => {
          if (request.end) return call.write({ summary: { batches: 1, received, created: received } });
          received = request.batch.records.length - 1;
          call.write({ batch: { batch_id: request.batch.batch_id, message: 1, received, created: received } });
        });
        call.on("end", () => call.end());
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      liar.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const lied = new Client(`127.0.0.1:${port}`, { timeoutMs: 30_000 });
    try {
      await assert.rejects(lied.importRecords([1, 2, 3].map((i) => ({ customer: { customer_id: `L${i}` } })), { runId: "lie" }),
        (e: ImportIncompleteError) => {
          assert.ok(e instanceof ImportIncompleteError);
          assert.equal(e.codeName, "DATA_LOSS");
          assert.match(e.details, /batch 1 \(lie-1\): 3 records sent, 2 acknowledged/);
          assert.equal(e.acknowledged.received, 2);
          return true;
        });
    } finally {
      lied.close();
      liar.forceShutdown();
    }
  });
});

// TLS and mutual TLS with a CA and certificates made for this run (tests/testing/make_certs.sh).
describe("TLS", () => {
  const MAKE_CERTS = process.env.FORECASTLE_MAKE_CERTS ?? path.join(ROOT, "tests", "testing", "make_certs.sh");
  const servers: ChildProcess[] = [];
  let certs = "";
  let tlsAddress = "";
  let mutualAddress = "";

  async function start(name: string, ...flags: string[]): Promise<string> {
    const child = spawn(SERVER, ["--listen=127.0.0.1:0", `--db=${path.join(tmp, `${name}.db`)}`, ...flags],
      { stdio: ["ignore", "pipe", "inherit"] });
    servers.push(child);
    return new Promise<string>((resolve, reject) => {
      child.stdout!.once("data", (chunk: Buffer) => {
        const match = /listening on (\S+)/.exec(chunk.toString());
        if (match) resolve(match[1]);
        else reject(new Error(`server did not start: ${chunk}`));
      });
    });
  }

  before(async () => {
    certs = path.join(tmp, "certs");
    execFileSync(MAKE_CERTS, [certs]);
    const tls = [`--tls_cert=${path.join(certs, "server.crt")}`, `--tls_key=${path.join(certs, "server.key")}`];
    tlsAddress = await start("tls", ...tls);
    mutualAddress = await start("mtls", ...tls, `--client_ca=${path.join(certs, "ca.crt")}`);
  });
  after(() => {
    for (const child of servers) child.kill("SIGTERM");
  });

  async function records(address: string, options: ConstructorParameters<typeof Client>[1]): Promise<number> {
    const tlsClient = new Client(address, { timeoutMs: 20_000, ...options });
    try {
      return (await tlsClient.summary()).records;
    } finally {
      tlsClient.close();
    }
  }

  it("connects over TLS trusting the CA, and not over plaintext or trusting another CA", async () => {
    assert.equal(await records(tlsAddress, { ca: path.join(certs, "ca.crt") }), 0);
    for (const options of [{}, { ca: path.join(certs, "other-ca.crt") }]) {
      await assert.rejects(records(tlsAddress, options), (e: ForecastleError) => e.codeName === "UNAVAILABLE");
    }
  });

  it("presents a client certificate to a server that requires one", async () => {
    const file = (name: string) => path.join(certs, name);
    await assert.rejects(records(mutualAddress, { ca: file("ca.crt") }), (e: ForecastleError) => e.codeName === "UNAVAILABLE");
    assert.equal(await records(mutualAddress, { ca: file("ca.crt"), cert: file("client.crt"), key: file("client.key") }), 0);
    assert.equal(await records(mutualAddress, {
      ca: fs.readFileSync(file("ca.crt")), cert: fs.readFileSync(file("client.crt")), key: fs.readFileSync(file("client.key")),
    }), 0);
    Object.assign(process.env, { FORECASTLE_CA: file("ca.crt"), FORECASTLE_CERT: file("client.crt"), FORECASTLE_KEY: file("client.key") });
    try {
      assert.equal(await records(mutualAddress, {}), 0);
    } finally {
      for (const name of ["FORECASTLE_CA", "FORECASTLE_CERT", "FORECASTLE_KEY"]) delete process.env[name];
    }
  });

  it("names a file it cannot read, and a certificate without its key", () => {
    assert.throws(() => new Client(tlsAddress, { ca: "/nonexistent/ca.crt" }),
      (e: ForecastleError) => e.details === "ca: cannot read /nonexistent/ca.crt: ENOENT" && e.field === "ca");
    assert.throws(() => new Client(tlsAddress, { cert: path.join(certs, "client.crt") }),
      (e: ForecastleError) => /key is missing/.test(e.details));
  });
});

describe("tokens", () => {
  let authServer: ChildProcess;
  let authAddress = "";
  let adminToken = "";

  before(async () => {
    const db = path.join(tmp, "auth.db");
    adminToken = execFileSync(SERVER, [`--db=${db}`, "--create_token=ops", "--role=admin"], { stdio: ["ignore", "pipe", "ignore"] })
      .toString().trim();
    authServer = spawn(SERVER, ["--listen=127.0.0.1:0", `--db=${db}`, "--auth"], { stdio: ["ignore", "pipe", "inherit"] });
    authAddress = await new Promise<string>((resolve, reject) => {
      authServer.stdout!.once("data", (chunk: Buffer) => {
        const match = /listening on (\S+)/.exec(chunk.toString());
        if (match) resolve(match[1]);
        else reject(new Error(`server did not start: ${chunk}`));
      });
    });
  });
  after(() => authServer?.kill("SIGTERM"));

  it("sends the token with every call, and the server keeps to its role", async () => {
    const anonymous = new Client(authAddress, { timeoutMs: 20_000, token: "" });
    await assert.rejects(anonymous.summary(), (e: ForecastleError) => e.codeName === "UNAUTHENTICATED");
    anonymous.close();

    const admin = new Client(authAddress, { timeoutMs: 20_000, token: adminToken });
    const writer = await admin.createToken("loader", "writer");
    const reader = await admin.createToken("dashboard", "reader");
    assert.equal(reader.token.role, "ROLE_READER");
    assert.match(reader.secret, /^fc_[0-9a-f]{64}$/);
    const listed = await admin.listTokens();
    assert.deepEqual(listed.map((t) => t.name), ["ops", "loader", "dashboard"]);
    assert.ok(!JSON.stringify(listed).includes(reader.secret.slice(3)));

    const loader = new Client(authAddress, { timeoutMs: 20_000, token: writer.secret });
    const result = await loader.importRecords([{ customer: { customer_id: "C1", name: "Acme" } }]); // a streamed call
    assert.equal(result.created, 1);
    loader.close();

    process.env.FORECASTLE_TOKEN = reader.secret;
    const dashboard = new Client(authAddress, { timeoutMs: 20_000 });
    delete process.env.FORECASTLE_TOKEN;
    assert.equal((await dashboard.summary()).customers, 1);
    await assert.rejects(dashboard.createScenario({ name: "s" }),
      (e: ForecastleError) => e.codeName === "PERMISSION_DENIED" && e.details.includes("needs the planner role"));
    assert.notEqual((await admin.revokeToken(reader.token.id)).revoked_at, "");
    await assert.rejects(dashboard.summary(), (e: ForecastleError) => e.codeName === "UNAUTHENTICATED");
    dashboard.close();
    admin.close();
  });
});
