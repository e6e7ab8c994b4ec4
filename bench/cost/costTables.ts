import type { CostModelData } from "../costModel.ts";
import { kb, printTable, usd } from "../table.ts";
import { totalUsd } from "./webhookCost.ts";

const percent = (value: number) => `${Math.round(value * 100)} %`;

/** Formats a quantity with a sensible number of digits for its size. */
function quantity(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString("en-US");
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

/** Prints the bill of the base scenario, the duplicates × retries grid, body sizes and the fixed costs. */
export function printCostTables(data: CostModelData): void {
  const { base, sizing, prices, inputs } = data;
  printTable({
    title: `Cost per million accepted webhooks (${kb(base.scenario.bodyBytes)} bodies, 1 destination, no duplicates, no retries; ${prices.region} list prices of ${prices.asOf})`,
    columns: ["service", "component", "quantity", "unit", "USD"],
    rows: [
      ...base.lines.map((l) => [l.service, l.component, quantity(l.quantity), l.unit, usd(l.usd)]),
      ["total", "", "", "", usd(base.totalUsd)],
    ],
    notes: [
      `Inputs: ${inputs.source}. Lambda: ${sizing.architecture}, intake ${sizing.intakeMemoryMb} MB, delivery ${sizing.deliveryMemoryMb} MB, billed per ms at the measured mean durations (local emulators: AWS round trips are slower, so real durations and their cost are higher).`,
      "Delivery duration includes 100 ms for the consumer to answer; the SQS event source is taken to hand over one message per batch (low traffic).",
      `With a provider's opt-in replayWindowSeconds, each request (accepted or duplicate) writes one replay marker first: +${usd(data.replayMarkerUsd)} per million accepted webhooks here.`,
    ],
  });
  const byDuplicates = new Map<number, typeof data.grid>();
  for (const cell of data.grid)
    byDuplicates.set(cell.duplicatesPerAccepted, [...(byDuplicates.get(cell.duplicatesPerAccepted) ?? []), cell]);
  const retries = [...new Set(data.grid.map((cell) => cell.retriesPerDelivery))];
  printTable({
    title: "Total per million accepted webhooks, by duplicates and delivery retries",
    columns: [
      "duplicates per accepted event",
      ...retries.map((r) => `${r} ${r === 1 ? "retry" : "retries"} per delivery`),
    ],
    rows: [...byDuplicates].map(([rate, cells]) => [percent(rate), ...cells.map((cell) => usd(cell.totalUsd))]),
    notes: [
      "A duplicate costs an API Gateway request, an intake invocation and a refused conditional write of the small state item (billed as a write of it: 1 WRU) and, for a body above the inline limit, a PutObject of the same object; its log line is at debug, not ingested.",
      "A retry costs a delivery invocation, two reads (state, body; an S3 body: the state and two GetObjects), an attempt item and a state update, a ChangeMessageVisibility and a receive.",
    ],
  });
  const units = new Map(data.unitsPerEvent.map((u) => [u.bodyBytes, u]));
  printTable({
    title: "Total per million accepted webhooks, by body size (no duplicates, no retries)",
    columns: [
      "body",
      "stored body (gzip)",
      "where",
      "WRU per event",
      "RRU per event",
      "total",
      "of which DynamoDB",
      "with the function URL edge",
    ],
    rows: data.bodySizes.map((b) => [
      kb(b.bodyBytes),
      `${units.get(b.bodyBytes)?.storedBodyBytes ?? "?"} bytes`,
      units.get(b.bodyBytes)?.placement === "s3" ? "S3" : "inline",
      String(units.get(b.bodyBytes)?.writeUnits ?? "?"),
      String(units.get(b.bodyBytes)?.readUnits ?? "?"),
      usd(b.totalUsd),
      `${usd(b.dynamoDbUsd)} (${percent(b.dynamoDbUsd / b.totalUsd)})`,
      usd(b.functionUrlUsd),
    ]),
    notes: [
      `An event is a state item (${units.get(inputs.bodyBytes)?.stateBytes ?? "?"} bytes once delivered) and a body written once (gzip when smaller): its own item up to 7 KB stored, above that an S3 object (PUT before the claim, 2 GETs per attempt, kept for the retention + 1 day) and no body item; every status change rewrites the state only. Write units round up per KB, read units per 4 KB; indexes included.`,
      "Bodies are Stripe-shaped JSON with random ids (bench/intake/stripeEvents.ts): they compress 2–4×, real events often more.",
    ],
  });
  printTable({
    title: "Fixed monthly costs (whatever the traffic)",
    columns: ["service", "component", "quantity", "unit", "USD per month"],
    rows: [
      ...data.fixedMonthly.lines.map((l) => [l.service, l.component, quantity(l.quantity), l.unit, usd(l.usd)]),
      ["total", "", "", "", usd(totalUsd(data.fixedMonthly.lines))],
    ],
  });
  const { shared, ownQueue } = data.destinationMonthly;
  printTable({
    title: "What a destination costs per month when idle",
    columns: ["delivery queue", "service", "component", "quantity", "unit", "USD per month"],
    rows: [
      ...shared.lines.map((l) => [
        "shared (before wave 6)",
        l.service,
        l.component,
        quantity(l.quantity),
        l.unit,
        usd(l.usd),
      ]),
      ["shared (before wave 6)", "total", "", "", "", usd(shared.totalUsd)],
      ...ownQueue.lines.map((l) => ["its own", l.service, l.component, quantity(l.quantity), l.unit, usd(l.usd)]),
      ["its own", "total", "", "", "", usd(ownQueue.totalUsd)],
    ],
    notes: [
      "Every destination has a queue of its own since wave 6 (issue 19: one queue, dead-letter queue and event source per destination, so that a slow or failing destination cannot hold another's delivery capacity): an idle destination costs its event source's empty long polls, the sweeper's look at its dead-letter queue and three more alarms on top of the secret and retry alarm it had on the shared queue. The traffic costs per event do not change: a job is one message either way.",
    ],
  });
}
