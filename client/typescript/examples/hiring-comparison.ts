// The executive's question: hire 5 engineers now, or 10 next quarter?
// Stores both hiring plans as scenarios, compares them on common random numbers and prints, per
// month, plan B - plan A with its P10/P50/P90 and the probability that plan B comes out higher.
//
//   node dist/examples/hiring-comparison.js --server 127.0.0.1:50051 --as-of 2026-10-31 [--ca ca.crt]
import { parseArgs } from "util";

import { Client, ForecastleError } from "../src";

function monthAfter(asOf: string, n: number): string {
  const [year, month] = asOf.split("-").map(Number);
  const index = year * 12 + (month - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: "string", default: "127.0.0.1:50051" },
      ca: { type: "string" }, // TLS: trust this PEM CA file (default $FORECASTLE_CA; unset: plaintext)
      cert: { type: "string" }, // TLS client certificate, for a server that requires one ($FORECASTLE_CERT)
      key: { type: "string" }, // its private key ($FORECASTLE_KEY)
      "as-of": { type: "string", default: new Date().toISOString().slice(0, 10) },
      team: { type: "string", default: "delivery" },
      paths: { type: "string", default: "20000" },
      horizon: { type: "string", default: "12" },
    },
  });
  const asOf = values["as-of"]!;
  const client = new Client(values.server, { ca: values.ca, cert: values.cert, key: values.key });
  try {
    const plans = {
      plan_a_hire5_now: [{ team: values.team, month: monthAfter(asOf, 1), count: 5 }],
      plan_b_hire10_next_quarter: [{ team: values.team, month: monthAfter(asOf, 3), count: 10 }],
    };
    for (const [name, hiring_plan] of Object.entries(plans)) {
      const scenario = { name, description: "hiring plan", hiring_plan };
      try {
        await client.createScenario(scenario);
      } catch (error) {
        if (!(error instanceof ForecastleError) || error.codeName !== "ALREADY_EXISTS") throw error;
        await client.updateScenario(scenario);
      }
    }
    const comparison = await client.compare("plan_a_hire5_now", ["plan_b_hire10_next_quarter"], {
      asOf, horizon: Number(values.horizon), paths: Number(values.paths), seed: 7,
    });
    const [b] = comparison.variants;
    console.log(`plan_b_hire10_next_quarter - plan_a_hire5_now, ${comparison.base.paths} paths on common random numbers`);
    for (const metric of ["revenue", "work_backlog_hours", "collections", "utilization", "delivery_cost"]) {
      console.log(`\n${metric}: month, P10, P50, P90 of the difference, P(plan B higher)`);
      const digits = metric === "utilization" ? 3 : 0;
      b.difference[metric].forEach((d, i) => {
        const cell = (v?: number) => (v ?? NaN).toFixed(digits).padStart(14);
        console.log(`  ${d.month} ${cell(d.p10)} ${cell(d.p50)} ${cell(d.p90)}   ${(100 * b.probabilityHigher[metric][i]).toFixed(1)}%`);
      });
    }
  } finally {
    client.close();
  }
}

main().catch((error) => {
  console.error(`hiring-comparison: ${error.message}`);
  process.exit(1);
});
