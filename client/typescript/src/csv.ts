// RFC 4180 CSV as forecastle's exports use it: a header row, then one record per row; quoted
// cells may hold commas, doubled quotes and line breaks. Yields each row's cells by column name
// with the line the row starts on (1-based, the header being line 1).
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

export function* parseCsv(text: string): Generator<CsvRow> {
  let header: string[] | undefined;
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const finishRow = function* (): Generator<CsvRow> {
    row.push(cell);
    cell = "";
    if (!header) header = row.map((c) => c.trim());
    else if (row.length > 1 || row[0] !== "") {
      const cells: Record<string, string> = {};
      header.forEach((name, i) => (cells[name] = (row[i] ?? "").trim()));
      yield { line: rowLine, cells };
    }
    row = [];
  };
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
      yield* finishRow();
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (cell !== "" || row.length) yield* finishRow();
}
