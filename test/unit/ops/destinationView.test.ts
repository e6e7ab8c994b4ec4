import { describe, expect, test } from "@jest/globals";
import { initialControl } from "../../../lambdas/shared/destinationControl.ts";
import { destinationView, pollersMismatch } from "../../../ops/destinations/destinationView.ts";

describe("a destination's view", () => {
  const depth = { backlog: 0, inFlight: 0 };

  test("a pause wins over an open circuit; the circuit's times are shown only while it is open", () => {
    const open = { ...initialControl("orders"), circuit: "open" as const, openedAtMs: 1, probeAtMs: 2 };
    expect(destinationView(open, depth)).toMatchObject({ state: "open", openedAtMs: 1, probeAtMs: 2 });
    expect(destinationView({ ...open, paused: true }, depth).state).toBe("paused");
    expect(destinationView({ ...open, circuit: "closed" }, depth)).not.toHaveProperty("probeAtMs");
  });

  test("says when the mapping disagrees with the pause", () => {
    expect(pollersMismatch({ state: "paused", eventSourceState: "Enabled" })).toBe("receiving_while_paused");
    expect(pollersMismatch({ state: "paused", eventSourceState: "Disabling" })).toBeUndefined();
    expect(pollersMismatch({ state: "open", eventSourceState: "Disabled" })).toBe("stopped_while_active");
    expect(pollersMismatch({ state: "active", eventSourceState: "Enabling" })).toBeUndefined();
    expect(pollersMismatch({ state: "active" })).toBeUndefined();
  });
});
