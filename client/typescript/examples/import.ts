// examples/import.ts in client/typescript: the README's import snippet, compiled with the tests.
// `npx tsc -p . && node dist/examples/import.js`
import { Client, ImportIncompleteError } from "../src";

async function main() {
  const client = new Client("127.0.0.1:50051");
  try {
    const result = await client.importCsv("exports/", { runId: "nightly-2026-11-30" });
    console.log(result.created, "created,", result.errors.length, "refused");
  } catch (e) {
    if (e instanceof ImportIncompleteError) console.log(e.codeName, e.acknowledged.received, "of", e.recordsSent, "stored");
    else throw e;
  } finally {
    client.close();
  }
}
main();
