import { readFileSync } from "node:fs";

/** The price table `bench/prices.json`: us-east-1 list prices, dated, as data the cost model reads. */
export interface PriceTable {
  region: string;
  currency: string;
  asOf: string;
  source: string;
  apiGatewayHttpApi: { perMillionRequests: number; requestIncrementBytes: number };
  lambda: { perMillionRequests: number; perGbSecond: Record<"arm64" | "x86_64", number>; billingGranularityMs: number };
  dynamoDbOnDemand: {
    perMillionWriteRequestUnits: number;
    perMillionReadRequestUnits: number;
    storagePerGbMonth: number;
    writeUnitBytes: number;
    strongReadUnitBytes: number;
  };
  sqsStandard: { perMillionRequests: number; requestChunkBytes: number };
  cloudWatchLogs: { perGbIngested: number };
  cloudWatch: { perStandardAlarmMonth: number; perDashboardMonth: number };
  dataTransferOut: { perGb: number };
  s3Standard: { perThousandPutRequests: number; perThousandGetRequests: number; storagePerGbMonth: number };
  secretsManager: { perSecretMonth: number; perTenThousandCalls: number };
}

export function readPrices(path = new URL("../prices.json", import.meta.url)): PriceTable {
  return JSON.parse(readFileSync(path, "utf8")) as PriceTable;
}
