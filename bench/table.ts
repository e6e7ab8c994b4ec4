/**
 * Tables printed as Markdown pipe tables: readable in a terminal, and written as they are into the generated pages
 * (`docs/performance.md`, `docs/reliability.md`) by a real run, so the numbers there are exactly what it printed.
 */

export type Cell = string | number;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Lines printed under the table (what a column means, what was assumed). */
  notes?: string[];
}

/** Milliseconds with two decimals. */
export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : "–";
}

/** A ratio such as 1.04×. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
}

/** A count per unit, with up to two decimals (2, 1.5, 0.33). */
export function perUnit(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : "–";
}

/** Bytes as KB with one decimal (1 KB = 1024 bytes). */
export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** US dollars with enough decimals for sub-cent line items. */
export function usd(value: number): string {
  if (value === 0) return "$0";
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
}

/** The table as Markdown, columns padded so it also reads well as plain text. */
export function renderTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, column) => Math.max(3, ...cells.map((row) => String(row[column] ?? "").length)));
  const line = (row: Cell[]) =>
    `| ${row.map((cell, column) => String(cell).padEnd(widths[column] ?? 3)).join(" | ")} |`;
  const separator = `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`;
  const body = [line(table.columns), separator, ...table.rows.map(line)];
  const notes = (table.notes ?? []).map((note) => `> ${note}`);
  return [`### ${table.title}`, "", ...body, ...(notes.length > 0 ? ["", ...notes] : []), ""].join("\n");
}

const printed: string[] = [];

export function printTable(table: Table): void {
  const markdown = renderTable(table);
  printed.push(markdown);
  process.stdout.write(`${markdown}\n`);
}

/** Every table this process printed, in order (what a real run writes into its generated page). */
export function printedTables(): readonly string[] {
  return printed;
}
