// The planning tool's question: with today's backlog, pipeline and team, when does the delivery
// backlog clear, and how likely is a strain (work backlog above 3 months of capacity) each month?
//
//   node dist/examples/capacity-question.js --server 127.0.0.1:50051 --as-of 2026-10-31 [--ca ca.crt]
import { parseArgs } from "util";

import { Client } from "../src";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: "string", default: "127.0.0.1:50051" },
      ca: { type: "string" }, // TLS: trust this PEM CA file (default $FORECASTLE_CA; unset: plaintext)
      cert: { type: "string" }, // TLS client certificate, for a server that requires one ($FORECASTLE_CERT)
      key: { type: "string" }, // its private key ($FORECASTLE_KEY)
      "as-of": { type: "string", default: new Date().toISOString().slice(0, 10) },
      scenario: { type: "string", default: "" },
      paths: { type: "string", default: "20000" },
      horizon: { type: "string", default: "24" },
    },
  });
  const horizon = Number(values.horizon);
  const client = new Client(values.server, { ca: values.ca, cert: values.cert, key: values.key });
  try {
    const fc = await client.forecast(
      { scenario: values.scenario, asOf: values["as-of"], horizon, paths: Number(values.paths), seed: 7, strainMonths: 3 },
      { onProgress: (p) => process.stderr.write(`\r${p.pathsDone}/${p.pathsTotal} paths`) },
    );
    process.stderr.write("\n");
    const clear = fc.monthsToClear!;
    console.log(`work backlog clears within ${horizon} months with probability ${(100 * fc.clearProbability).toFixed(1)}%`);
    console.log(`months until it clears: P10 ${clear.p10}, P50 ${clear.p50}, P90 ${clear.p90} (${horizon + 1} = not within the horizon)`);
    console.log("month    work backlog P50 (h)  capacity P50 (h)  P(strain)");
    fc.metrics.work_backlog_hours.forEach((work, i) => {
      const capacity = fc.metrics.capacity_hours[i];
      console.log(`${work.month}  ${work.p50!.toFixed(0).padStart(20)}  ${capacity.p50!.toFixed(0).padStart(16)}  ${(100 * fc.strainProbability[i]).toFixed(1).padStart(8)}%`);
    });
  } finally {
    client.close();
  }
}

main().catch((error) => {
  console.error(`capacity-question: ${error.message}`);
  process.exit(1);
});
