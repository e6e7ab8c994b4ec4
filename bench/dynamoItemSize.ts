import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * The size DynamoDB bills an item at, from its attribute values, by DynamoDB's published sizing rules: names and
 * strings count their UTF-8 bytes, binaries their bytes, a number about one byte per two significant digits plus
 * one, booleans and nulls one byte, and a list or map 3 bytes plus one byte per element on top of its contents.
 * Write units are then 1 per started KB, strongly consistent read units 1 per started 4 KB.
 */
export function itemSizeBytes(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name, "utf8") + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, "utf8");
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s, "utf8"), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + itemSizeBytes(value.M) + Object.keys(value.M).length;
  return 0;
}

function numberSize(number: string): number {
  const digits = number.replace(/^-/, "").replace(/[.]/, "").replace(/e.*$/i, "").replace(/^0+/, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Write request units of a write of an item this size. */
export function writeUnitsFor(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / 1024));
}

/** Read request units of a strongly consistent read of an item this size. */
export function strongReadUnitsFor(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / 4096));
}
