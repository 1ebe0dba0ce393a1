// @forecastle/client: a typed client for forecastle's gRPC API.
//
//   import { Client } from "@forecastle/client";
//   const client = new Client("127.0.0.1:50051");
//   const [company] = await client.metrics({ from: "2026-01", to: "2026-03", asOf: "2026-10-31" });
//   const fc = await client.forecast({ asOf: "2026-10-31", horizon: 12, paths: 20000 },
//                                    { onProgress: (p) => console.log(p.pathsDone, "/", p.pathsTotal) });
//   const imported = await client.importCsv("exports/");   // rejects unless every record is accounted for
//   client.close();
export * from "./client";
export { firstInvalidUtf8, notUtf8, parseCsv } from "./csv";
