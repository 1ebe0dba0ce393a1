// examples/quick.ts in client/typescript; `npx tsc -p . && node dist/examples/quick.js`
import { Client, ForecastleError } from "../src";

async function main() {
  const client = new Client("127.0.0.1:50051");
  const [company] = await client.metrics({ from: "2026-10", to: "2026-10", asOf: "2026-10-31" });
  console.log(company.periods[0].revenue);                 // an exact decimal string
  const abort = new AbortController();                     // abort.abort() cancels on the server
  const fc = await client.forecast({ asOf: "2026-10-31", horizon: 12, paths: 20000, seed: 7 },
    { signal: abort.signal, onProgress: (p) => console.log(p.pathsDone, "/", p.pathsTotal) });
  console.log(fc.metrics.revenue[0].p50, fc.clearProbability);
  try {
    await client.forecast({ horizon: 500 });
  } catch (e) {
    if (e instanceof ForecastleError) console.log(e.codeName, e.field); // INVALID_ARGUMENT horizon_months
  }
  const bt = await client.backtest({ from: "2025-01", to: "2025-10", stepMonths: 3 }); // SPEC §4.5
  console.log(bt.overall.find((s) => s.metric === "revenue")?.coverage80);
  client.close();
}
main();
