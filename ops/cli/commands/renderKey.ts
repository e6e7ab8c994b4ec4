import type { KeyView } from "../../keys/keyRecord.ts";
import { type CliIo, statusStyle, styler } from "../cliIo.ts";
import { ago, keyValues, table } from "../output.ts";

/** The human form of `keys show`: the record, then its audit trail. */
export function renderKey(io: CliIo, view: KeyView): string {
  const style = styler(io, "stdout");
  const lines = [
    keyValues([
      ["key", view.key],
      ["scope", view.scope],
      ["table", view.table],
      ["status", style("bold", style(statusStyle(view.status), view.status))],
      ["started", view.startedAt && `${view.startedAt} (${ago(view.ageSeconds)})`],
      ["completed", view.completedAt],
      ["failed", view.failedAt],
      ["released", view.releasedAt],
      ["error", view.error && `${view.error.name}: ${view.error.message}`],
      [
        "lease",
        view.lease === undefined ? "none" : `until ${view.lease.expiresAt}${view.lease.expired ? " (ended)" : ""}`,
      ],
      ["owner", view.owner ?? "none"],
      ["response", view.responseKind],
      ["expires", view.expiresAt],
    ]),
    "",
  ];
  if (view.audit.length === 0) {
    lines.push(style("dim", "audit      no operator action recorded"));
  } else {
    lines.push("audit");
    lines.push(
      table(
        ["at", "action", "by", "previous", "forced", "reason"],
        view.audit.map((entry) => [
          entry.at,
          entry.action,
          entry.by,
          entry.previousStatus,
          entry.forced ? "yes" : "no",
          entry.reason,
        ]),
      ),
    );
  }
  return lines.join("\n");
}
