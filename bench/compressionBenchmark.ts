/**
 * `npm run bench:compression`: how much gzip levels and brotli qualities shrink real-shaped Stripe, GitHub and
 * Shopify payloads of ~1 KB to 1 MB, how long they take to encode and decode, and what the gateway's own codec
 * (`encodeBody`) stores. Every codec is checked to give the exact bytes back. Prints the tables, writes
 * bench/results/compression.json.
 */
import { decodeBody, encodeBody } from "../lambdas/shared/body/bodyCodec.ts";
import { invariant, runBench } from "./benchRun.ts";
import { readBenchOptions } from "./cliOptions.ts";
import { CODEC_CANDIDATES } from "./compression/codecCandidates.ts";
import { type PayloadMeasurement, printCompressionTables } from "./compression/compressionTables.ts";
import { PAYLOAD_KINDS, PAYLOAD_SIZES_BYTES } from "./compression/payloadKinds.ts";
import { payloadOfSize } from "./compression/payloadSize.ts";
import { timeOperation } from "./compression/timeOperation.ts";
import { writeResult } from "./results.ts";

const { sizes, resultsDir, quick } = readBenchOptions(
  { budgetMs: 60, minRuns: 3, maxBytes: 1_048_576 },
  { budgetMs: 1, minRuns: 1, maxBytes: 2048 },
);

await runBench(async () => {
  const payloads: PayloadMeasurement[] = [];
  for (const kind of PAYLOAD_KINDS) {
    for (const nominalBytes of PAYLOAD_SIZES_BYTES.filter((bytes) => bytes <= sizes.maxBytes)) {
      const body = payloadOfSize(kind, nominalBytes);
      const time = (operation: () => unknown) => timeOperation(operation, sizes.budgetMs, sizes.minRuns).medianUs;
      const candidates: PayloadMeasurement["candidates"] = {};
      for (const candidate of CODEC_CANDIDATES) {
        const data = candidate.encode(body);
        invariant(candidate.decode(data).equals(body), `${candidate.name} did not give ${kind.name} back`);
        candidates[candidate.name] = {
          storedBytes: data.byteLength,
          ratio: body.byteLength / data.byteLength,
          encodeUs: time(() => candidate.encode(body)),
          decodeUs: time(() => candidate.decode(data)),
        };
      }
      const encoded = encodeBody(body);
      invariant(decodeBody(encoded).equals(body), `decodeBody did not give ${kind.name} back`);
      payloads.push({
        kind: kind.name,
        nominalBytes,
        bytes: body.byteLength,
        candidates,
        chosen: {
          encoding: encoded.encoding,
          storedBytes: encoded.data.byteLength,
          ratio: body.byteLength / encoded.data.byteLength,
          encodeUs: time(() => encodeBody(body)),
          decodeUs: time(() => decodeBody(encoded)),
        },
      });
    }
  }
  const names = CODEC_CANDIDATES.map((candidate) => candidate.name);
  printCompressionTables(payloads, names);
  const path = writeResult(resultsDir, "compression", {
    command: "npm run bench:compression",
    parameters: { ...sizes, quick, codecs: names },
    data: { payloads },
  });
  console.log(`results: ${path}`);
});
