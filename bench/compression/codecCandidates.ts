import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";

/** One way to compress a body that the benchmark compares: a name for the table, and its two directions. */
export interface CodecCandidate {
  name: string;
  encode(body: Buffer): Buffer;
  decode(data: Buffer): Buffer;
}

function gzip(level: number): CodecCandidate {
  return {
    name: `gzip ${level}`,
    encode: (body) => gzipSync(body, { level }),
    decode: (data) => gunzipSync(data),
  };
}

/** Brotli at `quality`; `windowBits` bounds the decoder's ring buffer (2^bits bytes; Node's default is 22, 4 MB). */
function brotli(quality: number, windowBits?: number): CodecCandidate {
  return {
    name: windowBits === undefined ? `br ${quality}` : `br ${quality} w${windowBits}`,
    encode: (body) =>
      brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: quality,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          ...(windowBits === undefined ? {} : { [constants.BROTLI_PARAM_LGWIN]: windowBits }),
        },
      }),
    decode: (data) => brotliDecompressSync(data),
  };
}

/**
 * gzip levels 1 (fastest), 4, 6 (zlib's default) and 9 (smallest); brotli qualities 1, 4, 6 and 11 (its
 * maximum, far too slow for an intake: measured to show the ceiling), and brotli 5 with a 64 KB window (what
 * brotli would need to bound the delivery's streaming memory like gzip's 32 KB window does).
 */
export const CODEC_CANDIDATES: readonly CodecCandidate[] = [
  gzip(1),
  gzip(4),
  gzip(6),
  gzip(9),
  brotli(1),
  brotli(4),
  brotli(6),
  brotli(11),
  brotli(5, 16),
];
