/**
 * What storing one webhook body costs inline in DynamoDB versus in S3 (a claim check: the object plus a small
 * reference item), per million events, from `bench/prices.json`. The arithmetic behind the default inline limit
 * of `bodyPlacement`; its test keeps that default at the break-even point these prices give.
 */
import type { PriceTable } from "./prices.ts";

/** What the comparison assumes about one event's life. */
export interface BodyLifeAssumptions {
  /** Delivery attempts that read the body (1: delivered first time, no retries). */
  readsPerEvent: number;
  /** S3 GETs per reading attempt: the delivery streams an S3 body twice (signature, then the POST). */
  s3GetsPerRead: number;
  /** How long the body is kept: the events' retention (30 days by default). */
  retentionDays: number;
  /** The body item's bytes besides the body: its keys and attribute names (DynamoDB counts them). */
  itemOverheadBytes: number;
  /** The reference item's size when the body is in S3: keys, bucket, key, encoding, sizes, sha256. */
  referenceItemBytes: number;
  /** Lambda time one S3 call adds (in-region PUT/GET of a small object: ~20–30 ms at p50), billed at 512 MB arm64. */
  lambdaMsPerS3Call: number;
  lambdaMemoryMb: number;
}

export const DEFAULT_BODY_LIFE: BodyLifeAssumptions = {
  readsPerEvent: 1,
  s3GetsPerRead: 2,
  retentionDays: 30,
  itemOverheadBytes: 120,
  referenceItemBytes: 300,
  lambdaMsPerS3Call: 25,
  lambdaMemoryMb: 512,
};

const GB = 1024 ** 3;
const MONTH_DAYS = 30;

/** Dollars per million events for a body stored inline, `storedBytes` after encoding. */
export function inlineCostPerMillion(storedBytes: number, prices: PriceTable, life = DEFAULT_BODY_LIFE): number {
  const ddb = prices.dynamoDbOnDemand;
  const itemBytes = storedBytes + life.itemOverheadBytes;
  const writes = Math.ceil(itemBytes / ddb.writeUnitBytes) * ddb.perMillionWriteRequestUnits;
  const reads = life.readsPerEvent * Math.ceil(itemBytes / ddb.strongReadUnitBytes) * ddb.perMillionReadRequestUnits;
  const storage = ((itemBytes * 1e6) / GB) * ddb.storagePerGbMonth * (life.retentionDays / MONTH_DAYS);
  return writes + reads + storage;
}

/** Dollars per million events for a body in S3: the object, its reference item, and the Lambda time of the calls. */
export function s3CostPerMillion(storedBytes: number, prices: PriceTable, life = DEFAULT_BODY_LIFE): number {
  const s3 = prices.s3Standard;
  const reference = inlineCostPerMillion(life.referenceItemBytes - life.itemOverheadBytes, prices, life);
  const gets = life.readsPerEvent * life.s3GetsPerRead;
  const requests = s3.perThousandPutRequests * 1000 + gets * s3.perThousandGetRequests * 1000;
  // S3 Standard bills storage by the day; lifecycle expiry runs at the next midnight UTC after the rule's days.
  const storage = ((storedBytes * 1e6) / GB) * s3.storagePerGbMonth * ((life.retentionDays + 1) / MONTH_DAYS);
  const gbSecondsPerCall = (life.lambdaMsPerS3Call / 1000) * (life.lambdaMemoryMb / 1024);
  const lambda = (1 + gets) * gbSecondsPerCall * prices.lambda.perGbSecond.arm64 * 1e6;
  return reference + requests + storage + lambda;
}

/** The largest stored size (a whole number of KB, 1 KB = 1024 bytes) for which inline costs no more than S3. */
export function breakEvenStoredKb(prices: PriceTable, life = DEFAULT_BODY_LIFE): number {
  let kb = 0;
  while (inlineCostPerMillion((kb + 1) * 1024, prices, life) <= s3CostPerMillion((kb + 1) * 1024, prices, life)) kb++;
  return kb;
}
