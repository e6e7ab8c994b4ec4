import { type Cell, printTable, ratio } from "../table.ts";

/** One codec on one payload. */
export interface CandidateMeasurement {
  storedBytes: number;
  ratio: number;
  encodeUs: number;
  decodeUs: number;
}

/** One payload, every codec, and what `encodeBody` chose for it. */
export interface PayloadMeasurement {
  kind: string;
  nominalBytes: number;
  bytes: number;
  candidates: Record<string, CandidateMeasurement>;
  chosen: CandidateMeasurement & { encoding: string };
}

const nominal = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`);
const micros = (us: number) => (us >= 100 ? us.toFixed(0) : us.toFixed(1));

function perCandidate(
  title: string,
  payloads: readonly PayloadMeasurement[],
  names: readonly string[],
  cell: (measured: CandidateMeasurement) => Cell,
  notes: string[],
): void {
  printTable({
    title,
    columns: ["payload", "size", "bytes", ...names],
    rows: payloads.map((payload) => [
      payload.kind,
      nominal(payload.nominalBytes),
      payload.bytes,
      ...names.map((name) => {
        const measured = payload.candidates[name];
        return measured === undefined ? "–" : cell(measured);
      }),
    ]),
    notes,
  });
}

/** Prints the ratio, encode and decode tables of every codec, then what `encodeBody` does. */
export function printCompressionTables(payloads: readonly PayloadMeasurement[], names: readonly string[]): void {
  perCandidate("Compression ratio by codec (original ÷ stored)", payloads, names, (m) => ratio(m.ratio), [
    "Payloads are generated in the providers' shapes (bench/compression/), grown by their repeated parts, never padded.",
    "`br Q w16`: brotli with a 64 KB window, the size that would bound the streaming decoder's memory.",
  ]);
  perCandidate("Encode time by codec (µs, median)", payloads, names, (m) => micros(m.encodeUs), [
    "One synchronous zlib call on this machine's core; a 512 MB Lambda has about a third of a vCPU.",
  ]);
  perCandidate("Decode time by codec (µs, median)", payloads, names, (m) => micros(m.decodeUs), []);
  printTable({
    title: "What encodeBody stores (gzip 6; identity below 256 B or when it saves under 10 %)",
    columns: ["payload", "size", "bytes", "encoding", "stored bytes", "ratio", "encode µs", "decode µs"],
    rows: payloads.map((payload) => [
      payload.kind,
      nominal(payload.nominalBytes),
      payload.bytes,
      payload.chosen.encoding,
      payload.chosen.storedBytes,
      ratio(payload.chosen.ratio),
      micros(payload.chosen.encodeUs),
      micros(payload.chosen.decodeUs),
    ]),
    notes: ["decodeBody returns the exact original bytes (checked for every payload of the run)."],
  });
}
