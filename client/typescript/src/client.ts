// forecastle's typed TypeScript client: the whole gRPC API as promises, async iterators for
// streams and AbortSignal for cancellation. Message types are generated from the .proto files
// (src/generated, by @grpc/proto-loader's proto-loader-gen-types); money stays an exact decimal
// string ("1234.56") — use cents() for arithmetic.
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

import { notUtf8, parseCsv } from "./csv";
import type { ProtoGrpcType as ActualsProto } from "./generated/actuals";
import type { ProtoGrpcType as AdminProto } from "./generated/admin";
import type { ProtoGrpcType as ForecastProto } from "./generated/forecast";
import type { ActualsServiceClient } from "./generated/forecastle/v1/ActualsService";
import type { AdminServiceClient } from "./generated/forecastle/v1/AdminService";
import type { BacklogReport__Output } from "./generated/forecastle/v1/BacklogReport";
import type { BacktestReply__Output } from "./generated/forecastle/v1/BacktestReply";
import type { BacktestRequest } from "./generated/forecastle/v1/BacktestRequest";
import type { BacktestScore__Output } from "./generated/forecastle/v1/BacktestScore";
import type { FittedValue__Output } from "./generated/forecastle/v1/FittedValue";
import type { ImportBatchAck__Output } from "./generated/forecastle/v1/ImportBatchAck";
import type { ImportReply__Output } from "./generated/forecastle/v1/ImportReply";
import type { ImportSummary__Output } from "./generated/forecastle/v1/ImportSummary";
import type { ForecastProgress__Output } from "./generated/forecastle/v1/ForecastProgress";
import type { ForecastReply__Output } from "./generated/forecastle/v1/ForecastReply";
import type { ForecastRequest } from "./generated/forecastle/v1/ForecastRequest";
import type { ForecastServiceClient } from "./generated/forecastle/v1/ForecastService";
import type { LedgerServiceClient } from "./generated/forecastle/v1/LedgerService";
import { Metric } from "./generated/forecastle/v1/Metric";
import type { Metric__Output } from "./generated/forecastle/v1/Metric";
import type { MetricForecast__Output } from "./generated/forecastle/v1/MetricForecast";
import type { MetricsTable__Output } from "./generated/forecastle/v1/MetricsTable";
import type { MonthSummary__Output } from "./generated/forecastle/v1/MonthSummary";
import type { PeriodMetrics__Output } from "./generated/forecastle/v1/PeriodMetrics";
import type { Record as LedgerRecord } from "./generated/forecastle/v1/Record";
import type { Scenario, Scenario__Output } from "./generated/forecastle/v1/Scenario";
import type { Token__Output } from "./generated/forecastle/v1/Token";

export type { LedgerRecord, Scenario, Scenario__Output, PeriodMetrics__Output as PeriodMetrics };
export type { BacklogReport__Output as BacklogReport, FittedValue__Output as FittedValue };
export type { Token__Output as Token };

/** What a bearer token may do; each role may do what the ones before it may. */
export type Role = "reader" | "planner" | "writer" | "admin";

// The metrics by name ("revenue", "work_backlog_hours"): the wire's Metric enum, whose
// METRIC_<NAME> is the metric <name>, is the one table of them (the server and the C++ CLI name
// them so too).
const METRIC_PREFIX = "METRIC_";
type MetricKey = Exclude<keyof typeof Metric, "METRIC_UNSPECIFIED">;
type NameOfKey<K> = K extends `${typeof METRIC_PREFIX}${infer N}` ? Lowercase<N> : never;
export type MetricName = NameOfKey<MetricKey>;

/** The metrics a forecast reports (SPEC §4), in reply order. */
export const METRICS: readonly MetricName[] = (Object.keys(Metric) as (keyof typeof Metric)[])
  .filter((key): key is MetricKey => key !== "METRIC_UNSPECIFIED")
  .map((key) => key.slice(METRIC_PREFIX.length).toLowerCase() as MetricName);

/** The wire's value of the metric `name`; INVALID_ARGUMENT about `field` for a name no metric has. */
function metricValue(name: string, field: string): MetricKey {
  if (!(METRICS as readonly string[]).includes(name)) {
    throw new ForecastleError(grpc.status.INVALID_ARGUMENT,
      `${field}: no metric "${name}"; one of ${METRICS.join(", ")}`, field);
  }
  return (METRIC_PREFIX + name.toUpperCase()) as MetricKey;
}

/** A reply's metric by name: its enum's, or from a server older than the enum its metric_name. */
function metricName(m: { metric: Metric__Output | number; metric_name: string }): string {
  if (m.metric === Metric.METRIC_UNSPECIFIED) return m.metric_name;
  if (typeof m.metric === "number") return `metric ${m.metric}`; // newer than this client
  return m.metric.slice(METRIC_PREFIX.length).toLowerCase();
}

/** One refused or failed call: the gRPC status code, the field it names (if any) and why. */
export class ForecastleError extends Error {
  readonly code: grpc.status;
  readonly field?: string;
  readonly details: string;
  constructor(code: grpc.status, details: string, field?: string) {
    super(`${grpc.status[code]}: ${details}`);
    this.name = "ForecastleError";
    this.code = code;
    this.details = details;
    this.field = field ?? fieldOf(details);
  }
  /** "INVALID_ARGUMENT", "NOT_FOUND", ... */
  get codeName(): string {
    return grpc.status[this.code];
  }
}

// forecastle's messages start with the field they name: "segments[0].win_rate must be in [0, 1], got 1.5".
const FIELD = /^([A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?)*)(?=:| must| is | appears| has)/;
export function fieldOf(message: string): string | undefined {
  return FIELD.exec(message)?.[1];
}

/** Exact money arithmetic: "1234.56" -> 123456n cents (at most 2 decimals, as forecastle sends). */
export function cents(money: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(money.trim());
  if (!match) throw new ForecastleError(grpc.status.INVALID_ARGUMENT, `money: not a decimal amount, got "${money}"`);
  const value = BigInt(match[2]) * 100n + BigInt((match[3] ?? "").padEnd(2, "0") || "0");
  return match[1] ? -value : value;
}

export interface MonthSummary {
  month: string; // "YYYY-MM"
  mean: number;
  std: number;
  standardError: number;
  quantiles: number[]; // in the order of Forecast.quantiles
  p10?: number;
  p50?: number;
  p90?: number;
}

export interface Forecast {
  scenario: string;
  asOf: string;
  paths: number;
  seed: string; // uint64, as a decimal string
  quantiles: number[];
  metrics: Record<string, MonthSummary[]>; // "revenue" -> one summary per month
  strainProbability: number[];
  monthsToClear?: MonthSummary;
  clearProbability: number;
  actuals: PeriodMetrics__Output[]; // the exact months through as-of (money as decimal strings)
  targetProbabilities: { metric: string; value: number; probability: number[] }[];
  openOpportunities: number;
  opportunitiesWithoutSegment: number;
  resolvedScenario?: Scenario__Output;
}

export interface Progress {
  pathsDone: number;
  pathsTotal: number;
  partial?: Forecast;
  /** > 0 while the forecast waits for a turn on the server (1 = next); 0 once it runs. */
  queuePosition: number;
}

export interface VariantComparison {
  forecast: Forecast;
  difference: Record<string, MonthSummary[]>;
  probabilityHigher: Record<string, number[]>;
}

export interface Comparison {
  base: Forecast;
  variants: VariantComparison[];
}

export interface ForecastOptions {
  scenario?: string; // a stored scenario ("" = the defaults)
  inlineScenario?: Scenario;
  asOf?: string; // "YYYY-MM-DD"; default: the server's today
  horizon?: number; // months, default 36
  paths?: number; // default 10000
  seed?: number | string;
  quantiles?: number[]; // default [0.1, 0.5, 0.9]
  strainMonths?: number;
  targets?: Record<string, number>; // {"revenue": 1e6} asks P(revenue >= 1e6) per month
  targetRelativeError?: number;
}

/** What to backtest (SPEC §4.5): forecasts from the month ends of from..to, every stepMonths. */
export interface BacktestOptions {
  from: string; // first as-of month, "YYYY-MM" (its month end); required
  to?: string; // last as-of month, "YYYY-MM"; default: from
  stepMonths?: number; // months between as-of dates, [1, 12]; default 3
  horizonMonths?: number; // months forecast and scored from each as-of, [1, 36]; default 12
  paths?: number; // per forecast, [2, 100000]; default 1000
  seed?: number | string; // default 1
  scenario?: string; // the stored scenario to start from; "" = the defaults
  calibrate?: boolean; // calibrate the scenario at each as-of (default true); false: forecast it as it is
}

/** How well forecasts of one metric did against the exact actuals that followed, at one horizon
 * month or (horizonMonth 0) over every horizon month. */
export interface BacktestScore {
  metric: string; // "bookings", "revenue", ... (the metrics with exact actuals)
  horizonMonth: number; // 1 = the first month after as-of; 0 = every horizon month
  forecasts: number; // forecast months scored: as-of dates (x horizon months when overall)
  coverage80: number; // share of actuals inside P10-P90 (0.8 when calibrated)
  coverage50: number; // share of actuals inside P25-P75 (0.5 when calibrated)
  pit: number[]; // 10 bins: actuals by the share of paths below them (flat when calibrated)
  bias: number; // mean (P50 - actual) / |actual|: > 0 forecasts too high
  crps: number; // mean CRPS / |actual|: lower is better
  peers: Record<string, number | null>; // naive peer -> its mean |error| / |actual|; null where it does not apply
  bestPeer: string; // the peer with the lowest crps
  skill?: number; // 1 - crps / best peer's crps (> 0 beats every peer); absent without a peer
}

/** Forecasts replayed from past month ends, each from what the ledger held then, scored. */
export interface Backtest {
  asOf: string[]; // the month ends forecast from, "YYYY-MM-DD"
  overall: BacktestScore[]; // per metric (bookings first), over every horizon month
  cells: BacktestScore[]; // per metric, then horizon month 1, 2, ...
}

export interface CallOptions {
  signal?: AbortSignal; // aborting cancels the call on the server (CANCELLED)
  timeoutMs?: number; // the call's deadline; default the client's
}

/** A refused record: `index` is its position among the records sent (-1: refused before sending). */
export interface RecordError {
  index: number; key: string; field: string; message: string; code: number; file?: string; line?: number;
}

/** What an import stored: every record received is created, unchanged or in `errors`. */
export interface ImportResult {
  received: number; // records (importCsv: rows) taken in
  created: number; // new records stored
  unchanged: number; // identical records already there (no-ops)
  errors: RecordError[]; // every refused record
  batches: number; // batches the server acknowledged
  replayedBatches: number; // of them, acknowledged by an earlier run with the same runId
}

export interface ImportOptions extends CallOptions {
  batchSize?: number; // records a batch, [1, 10000]; default 1000
  runId?: string; // batch ids are `${runId}-${n}`; default a fresh random id. Reuse it only to resume.
  onProgress?: (recordsAcknowledged: number, recordsSent: number) => void;
}

/** An import that did not account for every record sent: the stream failed (its code), or the
 * server's acknowledgements differ from what was sent (DATA_LOSS). `acknowledged` is stored; the
 * rest is not. Importing again with the same runId resumes without applying anything twice. */
export class ImportIncompleteError extends ForecastleError {
  readonly runId: string;
  readonly batchesSent: number;
  readonly recordsSent: number;
  acknowledged: ImportResult;
  constructor(code: grpc.status, details: string,
              account: { runId: string; batchesSent: number; recordsSent: number; acknowledged: ImportResult }) {
    super(code, details, "");
    this.name = "ImportIncompleteError";
    this.runId = account.runId;
    this.batchesSent = account.batchesSent;
    this.recordsSent = account.recordsSent;
    this.acknowledged = account.acknowledged;
  }
}

/** The server's limit on one import batch. */
export const MAX_BATCH_RECORDS = 10000;

/** A PEM file's path, or the PEM text itself as a Buffer. */
export type PemSource = string | Buffer;

export interface ClientOptions {
  timeoutMs?: number; // default deadline of each call, 300 s
  // Plaintext unless TLS is asked for by ca, cert/key or tls (or FORECASTLE_CA, FORECASTLE_CERT/KEY).
  ca?: PemSource; // CA certificates to trust instead of Node's roots; default $FORECASTLE_CA
  cert?: PemSource; // client certificate, for a server that requires mutual TLS; default $FORECASTLE_CERT
  key?: PemSource; // its private key; default $FORECASTLE_KEY
  tls?: boolean; // TLS trusting Node's root CAs, when no file is needed
  credentials?: grpc.ChannelCredentials; // overrides all of the above
  // The bearer token ("fc_...") of a server started with --auth, sent with every call as
  // `authorization: Bearer <token>` metadata (not call credentials: gRPC sends those over TLS
  // only). Default $FORECASTLE_TOKEN; "" sends none.
  token?: string;
  protoDir?: string; // where forecastle/v1/*.proto are; default the copy shipped in this package
}

// `value` (a Buffer, or a path to read), else the environment variable FORECASTLE_<NAME>.
function pem(value: PemSource | undefined, name: "ca" | "cert" | "key"): Buffer | undefined {
  let source: string = name;
  if (value === undefined) {
    source = `FORECASTLE_${name.toUpperCase()}`;
    value = process.env[source] || undefined;
  }
  if (value === undefined || Buffer.isBuffer(value)) return value;
  try {
    return fs.readFileSync(value);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ForecastleError(grpc.status.INVALID_ARGUMENT, `${source}: cannot read ${value}: ${reason}`, name);
  }
}

/** The channel credentials Client uses for `options`: TLS when asked for, else plaintext. */
export function channelCredentials(options: ClientOptions = {}): grpc.ChannelCredentials {
  if (options.credentials) return options.credentials;
  const ca = pem(options.ca, "ca"), cert = pem(options.cert, "cert"), key = pem(options.key, "key");
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = key === undefined ? ["cert", "key"] : ["key", "cert"];
    throw new ForecastleError(grpc.status.INVALID_ARGUMENT,
      `${given}: a client certificate needs both cert and key; ${missing} is missing ` +
      `(option or FORECASTLE_${missing.toUpperCase()})`, given);
  }
  if (!options.tls && ca === undefined && cert === undefined) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
}

/** An interceptor that adds the bearer token to every call's metadata. */
export function bearerToken(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set("authorization", `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
};

const CSV_FILES: [string, keyof LedgerRecord][] = [
  ["customers.csv", "customer"], ["contracts.csv", "contract"], ["lines.csv", "line"],
  ["progress.csv", "progress"], ["cancellations.csv", "cancellation"], ["invoices.csv", "invoice"],
  ["payments.csv", "payment"], ["opportunities.csv", "opportunity"], ["headcount.csv", "headcount"],
];
// CSV text -> proto enum names.
const ENUM_COLUMNS: Record<string, string> = {
  kind: "LINE_KIND_", convention: "RATABLE_CONVENTION_", status: "OPPORTUNITY_STATUS_",
};
const NUMBER_COLUMNS = new Set(["total_units", "units"]);
const BOOL_COLUMNS = new Set(["complete"]);

function summary(s: MonthSummary__Output, quantiles: number[]): MonthSummary {
  const out: MonthSummary = { month: s.month, mean: s.mean, std: s.std, standardError: s.standard_error, quantiles: s.quantiles };
  quantiles.forEach((q, i) => {
    if (Math.abs(q - 0.1) < 1e-12) out.p10 = s.quantiles[i];
    if (Math.abs(q - 0.5) < 1e-12) out.p50 = s.quantiles[i];
    if (Math.abs(q - 0.9) < 1e-12) out.p90 = s.quantiles[i];
  });
  return out;
}

function summaries(metrics: MetricForecast__Output[], quantiles: number[]): Record<string, MonthSummary[]> {
  const out: Record<string, MonthSummary[]> = {};
  for (const m of metrics) out[metricName(m)] = m.months.map((s) => summary(s, quantiles));
  return out;
}

function toForecast(reply: ForecastReply__Output): Forecast {
  const quantiles = reply.quantiles;
  return {
    scenario: reply.scenario,
    asOf: reply.as_of,
    paths: Number(reply.paths),
    seed: reply.seed,
    quantiles,
    metrics: summaries(reply.metrics, quantiles),
    strainProbability: reply.strain_probability,
    monthsToClear: reply.months_to_clear ? summary(reply.months_to_clear, quantiles) : undefined,
    clearProbability: reply.clear_probability,
    actuals: reply.actuals?.tables[0]?.periods ?? [],
    targetProbabilities: reply.target_probabilities.map((t) => ({
      metric: t.target ? metricName(t.target) : "", value: t.target?.value ?? 0, probability: t.probability,
    })),
    openOpportunities: Number(reply.open_opportunities),
    opportunitiesWithoutSegment: Number(reply.opportunities_without_segment),
    resolvedScenario: reply.resolved_scenario ?? undefined,
  };
}

function toBacktestScore(s: BacktestScore__Output): BacktestScore {
  return {
    metric: metricName(s),
    horizonMonth: s.horizon_month,
    forecasts: Number(s.forecasts),
    coverage80: s.coverage_80,
    coverage50: s.coverage_50,
    pit: s.pit.map(Number),
    bias: s.bias,
    crps: s.crps,
    peers: Object.fromEntries(s.peers.map((p) => [p.peer, p.crps ?? null])),
    bestPeer: s.best_peer,
    skill: s.skill ?? undefined,
  };
}

function toError(error: unknown): ForecastleError {
  if (error instanceof ForecastleError) return error;
  const e = error as Partial<grpc.ServiceError>;
  return new ForecastleError(e.code ?? grpc.status.UNKNOWN, e.details ?? String(error));
}

function invalid(field: string, message: string): ForecastleError {
  return new ForecastleError(grpc.status.INVALID_ARGUMENT, `${field}${message}`, field);
}

export class Client {
  private readonly ledger: LedgerServiceClient;
  private readonly actualsService: ActualsServiceClient;
  private readonly forecasts: ForecastServiceClient;
  private readonly admin: AdminServiceClient;
  readonly timeoutMs: number;

  /**
   * A connection to forecastle-server at `address` ("host:port"). Call close() when done.
   * Over TLS: new Client("db1.example.com:50051", { ca: "ca.crt" }), with cert and key too when
   * the server requires client certificates. A server started with --auth wants a token:
   * new Client(address, { token: "fc_..." }) (default $FORECASTLE_TOKEN).
   */
  constructor(address = "127.0.0.1:50051", options: ClientOptions = {}) {
    const protoDir = options.protoDir ?? path.resolve(__dirname, "..", "..", "proto");
    const load = (file: string) =>
      grpc.loadPackageDefinition(protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs: [protoDir] }));
    const actuals = load("forecastle/v1/actuals.proto") as unknown as ActualsProto;
    const forecast = load("forecastle/v1/forecast.proto") as unknown as ForecastProto;
    const admin = load("forecastle/v1/admin.proto") as unknown as AdminProto;
    const credentials = channelCredentials(options);
    const token = options.token ?? (process.env.FORECASTLE_TOKEN ?? "").trim();
    const channel: grpc.ClientOptions = {
      "grpc.max_receive_message_length": 256 << 20, "grpc.max_send_message_length": 64 << 20,
      interceptors: token ? [bearerToken(token)] : [],
    };
    this.ledger = new forecast.forecastle.v1.LedgerService(address, credentials, channel);
    this.actualsService = new actuals.forecastle.v1.ActualsService(address, credentials, channel);
    this.forecasts = new forecast.forecastle.v1.ForecastService(address, credentials, channel);
    this.admin = new admin.forecastle.v1.AdminService(address, credentials, channel);
    this.timeoutMs = options.timeoutMs ?? 300_000;
  }

  close(): void {
    this.ledger.close();
    this.actualsService.close();
    this.forecasts.close();
    this.admin.close();
  }

  // ---- Tokens (an admin token's calls) ---------------------------------------------------------

  /** A new bearer token of `role`: its listing and its secret, which the server shows this once
   * and keeps only as a hash. */
  async createToken(name: string, role: Role, call?: CallOptions): Promise<{ token: Token__Output; secret: string }> {
    const reply = await this.unary<object, { token: Token__Output; secret: string }>(
      this.admin, "CreateToken", { name, role: `ROLE_${role.toUpperCase()}` }, call);
    return { token: reply.token, secret: reply.secret };
  }

  /** Every token by id (revoked ones with revoked_at set); never a secret. */
  async listTokens(call?: CallOptions): Promise<Token__Output[]> {
    return (await this.unary<object, { tokens: Token__Output[] }>(this.admin, "ListTokens", {}, call)).tokens;
  }

  /** Refuses the token from the next call on. NOT_FOUND for an unknown id. */
  async revokeToken(id: number | string, call?: CallOptions): Promise<Token__Output> {
    return (await this.unary<object, { token: Token__Output }>(this.admin, "RevokeToken", { id: String(id) }, call)).token;
  }

  private options(call?: CallOptions): grpc.CallOptions {
    return { deadline: Date.now() + (call?.timeoutMs ?? this.timeoutMs) };
  }

  // A unary call as a promise; an abort cancels it.
  private unary<Req, Rep>(
    client: grpc.Client, method: string, request: Req, call?: CallOptions,
  ): Promise<Rep> {
    return new Promise<Rep>((resolve, reject) => {
      if (call?.signal?.aborted) return reject(new ForecastleError(grpc.status.CANCELLED, "aborted before the call"));
      const fn = (client as unknown as Record<string, Function>)[method].bind(client);
      const pending: grpc.ClientUnaryCall = fn(request, this.options(call), (error: grpc.ServiceError | null, reply: Rep) => {
        call?.signal?.removeEventListener("abort", abort);
        if (error) reject(toError(error));
        else resolve(reply);
      });
      const abort = () => pending.cancel();
      call?.signal?.addEventListener("abort", abort, { once: true });
    });
  }

  // ---- Ledger ----------------------------------------------------------------------------------

  /** How many records of each kind are stored, and in all. */
  async summary(call?: CallOptions): Promise<Record<string, number>> {
    const reply = await this.unary<object, Record<string, string>>(this.ledger, "Summary", {}, call);
    return Object.fromEntries(Object.entries(reply).map(([k, v]) => [k, Number(v)]));
  }

  /** Streams records (e.g. {customer: {customer_id: "C1", name: "Acme", segment: "smb"}}) in one
   * Import call, in batches of `batchSize`, each stored in one transaction and acknowledged once
   * durable. Resolves with the totals once every batch sent was acknowledged with every record
   * accounted for (created, unchanged, or in errors); rejects with ImportIncompleteError otherwise. */
  async importRecords(records: Iterable<LedgerRecord> | AsyncIterable<LedgerRecord>, options: ImportOptions = {}): Promise<ImportResult> {
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_RECORDS) {
      throw invalid("batch_size", ` must be in [1, ${MAX_BATCH_RECORDS}], got ${batchSize}`);
    }
    const runId = options.runId ?? randomUUID().replace(/-/g, "");
    const sent: number[] = []; // records in each batch, pushed before the batch goes out
    const acks: ImportBatchAck__Output[] = [];
    const summaries: ImportSummary__Output[] = [];
    const errors: RecordError[] = [];
    const differences: string[] = [];
    const total = () => sent.reduce((a, b) => a + b, 0);
    let start = 0; // position of the first record of the next batch to acknowledge
    const account = (): ImportResult => ({
      received: acks.reduce((a, k) => a + Number(k.received), 0),
      created: acks.reduce((a, k) => a + Number(k.created), 0),
      unchanged: acks.reduce((a, k) => a + Number(k.unchanged), 0),
      errors: [...errors], batches: acks.length, replayedBatches: acks.filter((k) => k.replayed).length,
    });
    const incomplete = (code: grpc.status, details: string) => new ImportIncompleteError(
      code, details, { runId, batchesSent: sent.length, recordsSent: total(), acknowledged: account() });

    const stream = this.ledger.Import(this.options(options));
    const abort = () => stream.cancel();
    options.signal?.addEventListener("abort", abort, { once: true });
    const acknowledge = (ack: ImportBatchAck__Output) => {
      const k = acks.length;
      if (k >= sent.length) return differences.push(`the server answered ${k + 1} batches; ${sent.length} were sent`);
      const name = `batch ${k + 1} (${runId}-${k + 1})`;
      const received = Number(ack.received);
      if (ack.batch_id !== `${runId}-${k + 1}`) differences.push(`${name} was answered for "${ack.batch_id}"`);
      if (received !== sent[k]) differences.push(`${name}: ${sent[k]} records sent, ${received} acknowledged`);
      if (Number(ack.created) + Number(ack.unchanged) + ack.errors.length !== received) {
        differences.push(`${name}: ${ack.created} created + ${ack.unchanged} unchanged + ${ack.errors.length} refused is not the ${received} acknowledged`);
      }
      for (const e of ack.errors) {
        const index = Number(e.index);
        if (index < 0 || index >= sent[k]) differences.push(`${name}: refused record ${index} is not in the batch`);
        errors.push({ index: start + index, key: e.key, field: e.field, message: e.message, code: e.code });
      }
      start += sent[k];
      acks.push(ack);
      options.onProgress?.(start, total());
    };
    // Settles once the server has ended the stream: OK after its last reply, or with its error.
    const ended = new Promise<void>((resolve, reject) => {
      let readEnded = false;
      let statusOk = false;
      stream.on("data", (reply: ImportReply__Output) => {
        if (reply.summary) summaries.push(reply.summary);
        else if (reply.batch) acknowledge(reply.batch);
      });
      stream.on("end", () => {
        readEnded = true;
        if (statusOk) resolve();
      });
      stream.on("status", (status: grpc.StatusObject) => {
        statusOk = status.code === grpc.status.OK;
        if (statusOk && readEnded) resolve();
      });
      stream.on("error", (error) => reject(toError(error)));
    });
    ended.catch(() => undefined); // observed below; a write loop that stops early must not leave it unhandled
    const writing = (async () => {
      let batch: LedgerRecord[] = [];
      const send = async () => {
        sent.push(batch.length);
        const ok = stream.write({ batch: { batch_id: `${runId}-${sent.length}`, records: batch } });
        batch = [];
        if (!ok) await Promise.race([new Promise((r) => stream.once("drain", r)), ended]);
      };
      for await (const record of records as AsyncIterable<LedgerRecord>) {
        batch.push(record);
        if (batch.length >= batchSize) await send();
      }
      if (batch.length) await send();
      stream.write({ end: { batches: sent.length, records: total() } });
      stream.end();
    })();
    try {
      await Promise.all([writing, ended]);
    } catch (error) {
      stream.cancel();
      const e = toError(error);
      throw incomplete(e.code, e.details);
    } finally {
      options.signal?.removeEventListener("abort", abort);
    }
    const totals = account();
    if (acks.length !== sent.length) differences.push(`${sent.length} batches sent, ${acks.length} acknowledged`);
    if (summaries.length !== 1) differences.push("the stream ended without the server's summary");
    else {
      const s = summaries[0];
      const theirs = [s.batches, s.received, s.created, s.unchanged, s.refused].map(Number);
      const ours = [totals.batches, totals.received, totals.created, totals.unchanged, totals.errors.length];
      if (theirs.some((v, i) => v !== ours[i])) {
        differences.push(`the server's summary (${theirs[0]} batches, ${theirs[1]} records) differs from its acknowledgements (${ours[0]} batches, ${ours[1]} records)`);
      }
    }
    if (differences.length) throw incomplete(grpc.status.DATA_LOSS, `the import is not accounted for: ${differences[0]}`);
    return totals;
  }

  /** Imports a folder of CSV exports (SPEC §3.4) in one importRecords call. Every file must be
   * UTF-8: otherwise nothing is sent and the promise rejects (INVALID_ARGUMENT) naming the first
   * bad cell as file:line: column. Refused rows come back with file and line; importing the same
   * folder again is safe. */
  async importCsv(folder: string, options: ImportOptions = {}): Promise<ImportResult> {
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
      throw new ForecastleError(grpc.status.NOT_FOUND, `no such folder: ${folder}`);
    }
    const texts: [string, keyof LedgerRecord, string][] = [];
    for (const [file, kind] of CSV_FILES) {
      const full = path.join(folder, file);
      if (!fs.existsSync(full)) continue;
      const bytes = fs.readFileSync(full);
      const refused = notUtf8(file, bytes);
      if (refused) throw new ForecastleError(grpc.status.INVALID_ARGUMENT, refused);
      texts.push([file, kind, bytes.toString("utf8").replace(/^\uFEFF/, "")]);
    }
    const rows: { record: LedgerRecord; file: string; line: number }[] = [];
    const refusedRows: RecordError[] = [];
    for (const [file, kind, text] of texts) {
      for (const { line, cells } of parseCsv(text)) {
        const fields: Record<string, unknown> = {};
        let refused = false;
        for (const [column, text] of Object.entries(cells)) {
          if (text === "") continue;
          if (ENUM_COLUMNS[column]) fields[column] = ENUM_COLUMNS[column] + text.toUpperCase();
          else if (NUMBER_COLUMNS.has(column)) {
            if (!/^-?\d+$/.test(text)) {
              refusedRows.push({ index: -1, key: "", field: column, message: `expected a whole number, got "${text}"`, code: grpc.status.INVALID_ARGUMENT, file, line });
              refused = true;
            }
            fields[column] = text;
          } else if (BOOL_COLUMNS.has(column)) fields[column] = text === "true";
          else fields[column] = text;
        }
        if (!refused) rows.push({ record: { [kind]: fields } as LedgerRecord, file, line });
      }
    }
    const located = (result: ImportResult): ImportResult => {
      const errors = [...refusedRows, ...result.errors.map((e) => ({ ...e, file: rows[e.index]?.file, line: rows[e.index]?.line }))];
      errors.sort((a, b) => (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0));
      return { ...result, received: result.received + refusedRows.length, errors };
    };
    try {
      return located(await this.importRecords(rows.map((r) => r.record), options));
    } catch (error) {
      if (error instanceof ImportIncompleteError) error.acknowledged = located(error.acknowledged);
      throw error;
    }
  }

  // ---- Actuals ---------------------------------------------------------------------------------

  /** The exact actuals per period (money as decimal strings, to the cent). */
  async metrics(request: {
    from: string; to: string; grain?: "month" | "quarter" | "year"; asOf?: string;
    groupBy?: "company" | "segment" | "customer"; segment?: string; customerId?: string; fiscalYearStartMonth?: number;
  }, call?: CallOptions): Promise<MetricsTable__Output[]> {
    const grain = request.grain ?? "month";
    if (!["month", "quarter", "year"].includes(grain)) throw invalid("grain", ` must be month, quarter or year, got "${grain}"`);
    const groupBy = request.groupBy ?? "company";
    if (!["company", "segment", "customer"].includes(groupBy)) throw invalid("group_by", ` must be company, segment or customer, got "${groupBy}"`);
    const reply = await this.unary<object, { tables: MetricsTable__Output[] }>(this.actualsService, "GetMetrics", {
      from: request.from, to: request.to, grain: `GRAIN_${grain.toUpperCase()}`, as_of: request.asOf ?? "",
      group_by: `GROUP_BY_${groupBy.toUpperCase()}`, segment: request.segment ?? "", customer_id: request.customerId ?? "",
      fiscal_year_start_month: request.fiscalYearStartMonth ?? 0,
    }, call);
    return reply.tables;
  }

  /** Backlog (RPO) at as-of with its aging and cRPO. */
  async backlog(request: { asOf?: string; groupBy?: "company" | "segment" | "customer" } = {}, call?: CallOptions): Promise<BacklogReport__Output[]> {
    const reply = await this.unary<object, { reports: BacklogReport__Output[] }>(this.actualsService, "GetBacklog", {
      as_of: request.asOf ?? "", group_by: `GROUP_BY_${(request.groupBy ?? "company").toUpperCase()}`,
    }, call);
    return reply.reports;
  }

  // ---- Scenarios -------------------------------------------------------------------------------

  /** Stores a scenario; ALREADY_EXISTS when the name is taken. */
  createScenario(scenario: Scenario, call?: CallOptions): Promise<Scenario__Output> {
    return this.unary(this.forecasts, "CreateScenario", scenario, call);
  }
  updateScenario(scenario: Scenario, call?: CallOptions): Promise<Scenario__Output> {
    return this.unary(this.forecasts, "UpdateScenario", scenario, call);
  }
  /** The stored scenario; resolved: true fills in its base and every default. */
  getScenario(name: string, options: { resolved?: boolean } = {}, call?: CallOptions): Promise<Scenario__Output> {
    return this.unary(this.forecasts, "GetScenario", { name, resolved: options.resolved ?? false }, call);
  }
  async listScenarios(call?: CallOptions): Promise<Scenario__Output[]> {
    return (await this.unary<object, { scenarios: Scenario__Output[] }>(this.forecasts, "ListScenarios", {}, call)).scenarios;
  }
  async deleteScenario(name: string, call?: CallOptions): Promise<void> {
    await this.unary(this.forecasts, "DeleteScenario", { name }, call);
  }

  /** Fits a scenario to the actuals; each value with its sample size. */
  async calibrate(request: { asOf?: string; base?: string; saveAs?: string } = {}, call?: CallOptions):
      Promise<{ scenario: Scenario__Output; values: FittedValue__Output[] }> {
    const reply = await this.unary<object, { scenario: Scenario__Output; values: FittedValue__Output[] }>(
      this.forecasts, "Calibrate", { as_of: request.asOf ?? "", base: request.base ?? "", save_as: request.saveAs ?? "" }, call);
    return { scenario: reply.scenario, values: reply.values };
  }

  // ---- Forecasts -------------------------------------------------------------------------------

  /** The ForecastRequest message the options describe. */
  static forecastRequest(options: ForecastOptions = {}): ForecastRequest {
    return {
      scenario: options.scenario ?? "",
      inline_scenario: options.inlineScenario ?? null,
      as_of: options.asOf ?? "",
      horizon_months: options.horizon ?? 36,
      paths: options.paths ?? 10000,
      seed: options.seed ?? 0,
      quantiles: options.quantiles ?? [0.1, 0.5, 0.9],
      strain_months: options.strainMonths ?? 0,
      target_relative_error: options.targetRelativeError ?? 0,
      targets: Object.entries(options.targets ?? {}).map(([name, value]) => ({ metric: metricValue(name, "targets"), value })),
    };
  }

  /** Progress of a streamed forecast; the last item carries the final result (done). Breaking out
   * of the loop, or aborting the signal, cancels the forecast on the server. */
  async *streamForecast(options: ForecastOptions = {}, call?: CallOptions): AsyncGenerator<Progress & { done: boolean }> {
    const stream = this.forecasts.StreamForecast(Client.forecastRequest(options), this.options(call));
    const abort = () => stream.cancel();
    call?.signal?.addEventListener("abort", abort, { once: true });
    try {
      for await (const update of stream as AsyncIterable<ForecastProgress__Output>) {
        yield {
          pathsDone: Number(update.paths_done), pathsTotal: Number(update.paths_total),
          partial: update.partial ? toForecast(update.partial) : undefined, done: update.done,
          queuePosition: update.queue_position,
        };
      }
    } catch (error) {
      throw toError(error);
    } finally {
      call?.signal?.removeEventListener("abort", abort);
      stream.cancel();  // a no-op once the stream has ended; cancels it when the caller stops early
    }
  }

  /** Runs a Monte Carlo forecast; onProgress sees the paths done (and partial summaries). */
  async forecast(options: ForecastOptions = {}, call: CallOptions & { onProgress?: (p: Progress) => void } = {}): Promise<Forecast> {
    if (!call.onProgress) {
      return toForecast(await this.unary<ForecastRequest, ForecastReply__Output>(
        this.forecasts, "Forecast", Client.forecastRequest(options), call));
    }
    let result: Forecast | undefined;
    for await (const progress of this.streamForecast(options, call)) {
      call.onProgress(progress);
      if (progress.done) result = progress.partial;
    }
    if (!result) throw new ForecastleError(grpc.status.INTERNAL, "the forecast stream ended without a result");
    return result;
  }

  /** Runs the base and each variant on common random numbers: their forecasts, each variant's
   * difference from the base path by path, and P(variant > base) per month. */
  async compare(base: string, variants: string[], options: Omit<ForecastOptions, "scenario"> = {}, call?: CallOptions): Promise<Comparison> {
    if (variants.length === 0) throw invalid("variants", ": name at least one scenario");
    const reply = await this.unary<object, { base: ForecastReply__Output; variants: { forecast: ForecastReply__Output; difference: MetricForecast__Output[]; probability_higher: MetricForecast__Output[] }[] }>(
      this.forecasts, "Compare", { base: Client.forecastRequest({ ...options, scenario: base }), variants }, call);
    const quantiles = reply.base.quantiles;
    return {
      base: toForecast(reply.base),
      variants: reply.variants.map((v) => ({
        forecast: toForecast(v.forecast),
        difference: summaries(v.difference, quantiles),
        probabilityHigher: Object.fromEntries(v.probability_higher.map((m) => [metricName(m), m.months.map((s) => s.mean)])),
      })),
    };
  }

  /** Replays forecasts from the month ends of from..to every stepMonths, each from only what the
   * ledger held on that date (and calibrated then, unless calibrate: false), and scores each of the
   * horizonMonths forecast months against the exact actuals that followed (SPEC §4.5): coverage of
   * P10-P90 and P25-P75, PIT histogram, bias, CRPS, and skill against the best naive peer. */
  async backtest(options: BacktestOptions, call?: CallOptions): Promise<Backtest> {
    const reply = await this.unary<BacktestRequest, BacktestReply__Output>(this.forecasts, "Backtest", {
      scenario: options.scenario ?? "", from: options.from, to: options.to ?? "",
      step_months: options.stepMonths ?? 3, horizon_months: options.horizonMonths ?? 12,
      paths: options.paths ?? 1000, seed: options.seed ?? 1, no_calibration: !(options.calibrate ?? true),
    }, call);
    return { asOf: reply.as_of, overall: reply.overall.map(toBacktestScore), cells: reply.cells.map(toBacktestScore) };
  }
}
