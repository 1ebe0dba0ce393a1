// RFC 4180 CSV as forecastle's exports use it: a header row, then one record per row; quoted
// cells may hold commas, doubled quotes and line breaks. Files must be UTF-8 (SPEC §3.4).
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

// Raw rows with the line each starts on (1-based). With `trailing`, the row the text ends in is
// yielded even when empty (so a position at the end of `text` can be named).
function* csvRows(text: string, trailing = false): Generator<{ line: number; cells: string[] }> {
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        cell += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      yield { line: rowLine, cells: row };
      row = [];
      cell = "";
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (trailing || cell !== "" || row.length) yield { line: rowLine, cells: [...row, cell] };
}

/** Yields each row's cells by column name with the line the row starts on (1-based, the header
 * being line 1); blank lines are skipped. */
export function* parseCsv(text: string): Generator<CsvRow> {
  let header: string[] | undefined;
  for (const { line, cells: row } of csvRows(text)) {
    if (!header) header = row.map((c) => c.trim());
    else if (row.length > 1 || row[0] !== "") {
      const cells: Record<string, string> = {};
      header.forEach((name, i) => (cells[name] = (row[i] ?? "").trim()));
      yield { line, cells };
    }
  }
}

/** The offset of the first byte of `bytes` that does not start a well-formed UTF-8 sequence
 * (RFC 3629: no overlong forms, surrogates, values above U+10FFFF or truncated sequences), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) length = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c === 0xe0) low = 0xa0;
      if (c === 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c === 0xf0) low = 0x90;
      if (c === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > bytes.length || bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += length;
  }
  return -1;
}

/** Why a CSV file is not UTF-8, worded as the C++ CLI words it: `invoices.csv:3: amount: not
 * valid UTF-8: byte 0xE9 after "12" in column 4; the file must be UTF-8`; undefined if it is. */
export function notUtf8(file: string, bytes: Uint8Array): string | undefined {
  const at = firstInvalidUtf8(bytes);
  if (at < 0) return undefined;
  const rows = [...csvRows(Buffer.from(bytes.subarray(0, at)).toString("utf8"), true)];
  const last = rows[rows.length - 1];
  const column = last.cells.length - 1;
  const header = rows.length > 1 ? rows[0].cells : undefined;
  const name = header ? header[column] ?? "" : "header";
  const before = [...last.cells[column]];
  const byte = `0x${bytes[at].toString(16).toUpperCase().padStart(2, "0")}`;
  const reason = before.length === 0 ? `byte ${byte} at the start`
    : `byte ${byte} after "${before.length > 24 ? "..." : ""}${before.slice(-24).join("")}"`;
  return `${file}:${last.line}: ${name ? `${name}: ` : ""}not valid UTF-8: ${reason} in column ${column + 1}; the file must be UTF-8`;
}
