import { usd } from "../table.ts";
import { OTHER_TARGETS, type StorageTargetsData } from "./storageTargets.ts";

/**
 * The README's "Performance and cost" table: issue 15's targets, as the last published `npm run bench:cost`
 * measured them (`writeSection(README, "cost-targets", …)`), shorter than the printed table in docs/performance.md.
 */
export function readmeTargetsTable(data: StorageTargetsData): string {
  const rows = data.bodies.map((body) => {
    const name = `${size(body.bodyBytes)} body${body.placement === "s3" ? " (S3)" : ""}`;
    const target =
      body.targetUsd === undefined
        ? "accepted"
        : `≤ ${usd(body.targetUsd)}${body.functionUrlTargetUsd === undefined ? "" : ` (≤ ${usd(body.functionUrlTargetUsd)} Function URL)`}`;
    const transfer = body.lines.find((line) => line.service === "Data transfer")?.usd ?? 0;
    const now =
      body.targetUsd === undefined
        ? `${usd(body.httpApiUsd)} (${usd(transfer)} of it data transfer out)`
        : usd(body.httpApiUsd);
    const gaps = [body.overUsd, body.functionUrlOverUsd].filter((gap) => gap > 0);
    const gap =
      gaps.length === 2 && gaps[0] === gaps[1]
        ? `+${usd(gaps[0] ?? 0)} each`
        : gaps.map((g) => `+${usd(g)}`).join(", ");
    const met = body.targetUsd === undefined ? "yes" : body.met ? "yes" : `no (${gap})`;
    return [
      name,
      body.beforeUsd === undefined ? "refused" : usd(body.beforeUsd),
      target,
      now,
      usd(body.functionUrlUsd),
      met,
    ];
  });
  const wu = data.writeUnitsPer2KbEvent;
  const sustained = data.sustained;
  const perSecond = (n: number) => n.toLocaleString("en-US").replace(",", " ");
  const yes = (met: boolean) => (met ? "yes" : "no");
  rows.push(
    [
      "DynamoDB write units per delivered 2 KB event",
      OTHER_TARGETS.writeUnitsPer2KbEvent.before,
      `≤ ${OTHER_TARGETS.writeUnitsPer2KbEvent.target}`,
      String(wu.now),
      String(wu.now),
      yes(wu.met),
    ],
    [
      "largest body accepted",
      "256 KB",
      "≥ 5 MB",
      `${data.largestBodyBytes.configuredMax / 1024 / 1024} MiB`,
      `${data.largestBodyBytes.configuredMax / 1024 / 1024} MiB`,
      yes(data.largestBodyBytes.met),
    ],
    [
      "events/s before a partition limit (model)",
      OTHER_TARGETS.sustainedEventsPerSecond.before,
      `≥ ${perSecond(OTHER_TARGETS.sustainedEventsPerSecond.target)}`,
      `${perSecond(sustained.atDefaultPeak.eventsPerSecond)} by default, ${perSecond(sustained.atTenThousand.eventsPerSecond)} with \`peakEventsPerSecond: 10000\``,
      "same",
      yes(sustained.met),
    ],
  );
  const header = ["", "before storage v2", "target", "now (HTTP API)", "now (Function URL)", "met?"];
  return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** 1 KB, 64 KB, 1 MB: the issue's names for the sizes. */
function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
}
