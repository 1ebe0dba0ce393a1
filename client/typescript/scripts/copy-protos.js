// Copies the repository's .proto files into this package (proto/), so the generated types and
// the runtime loader read the very protos the server was built from, and a packed client carries them.
const fs = require("fs");
const path = require("path");
const source = path.resolve(process.env.FORECASTLE_PROTO_DIR || path.join(__dirname, "..", "..", "..", "proto"));
const target = path.join(__dirname, "..", "proto");
const folder = path.join("forecastle", "v1");
if (!fs.existsSync(path.join(source, folder))) {
  console.error(`forecastle: no protos at ${path.join(source, folder)} (set FORECASTLE_PROTO_DIR)`);
  process.exit(1);
}
fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(path.join(target, folder), { recursive: true });
for (const name of fs.readdirSync(path.join(source, folder)).filter((n) => n.endsWith(".proto"))) {
  fs.copyFileSync(path.join(source, folder, name), path.join(target, folder, name));
}
