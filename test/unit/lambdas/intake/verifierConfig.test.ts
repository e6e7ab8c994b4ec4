import { describe, expect, test } from "@jest/globals";
import { verifierConfigFor } from "../../../../lambdas/intake/verifierConfig.ts";
import { createSecretResolver } from "../../../../lambdas/shared/secrets.ts";

const secrets = createSecretResolver({ env: { A: "secret-a", B: "secret-b", KEY: "ab".repeat(32) } });

describe("verifierConfigFor", () => {
  test("resolves every secret reference of each scheme, keeping the other settings", async () => {
    expect(
      await verifierConfigFor(
        { scheme: "stripe", secrets: [{ env: "A" }, { env: "B" }], toleranceSeconds: 60 },
        secrets,
      ),
    ).toEqual({
      scheme: "stripe",
      secrets: ["secret-a", "secret-b"],
      toleranceSeconds: 60,
    });
    expect(await verifierConfigFor({ scheme: "github", secrets: [{ env: "A" }] }, secrets)).toEqual({
      scheme: "github",
      secrets: ["secret-a"],
    });
    expect(
      await verifierConfigFor(
        { scheme: "keygen", publicKeys: [{ env: "KEY" }], publicUrl: "https://h.example/x" },
        secrets,
      ),
    ).toEqual({
      scheme: "keygen",
      publicKeysHex: ["ab".repeat(32)],
      publicUrl: "https://h.example/x",
      toleranceSeconds: undefined,
    });
    expect(
      await verifierConfigFor(
        { scheme: "generic", eventId: {}, signature: { header: "x-sig", secrets: [{ env: "B" }] } },
        secrets,
      ),
    ).toEqual({ scheme: "generic", eventId: {}, signature: { header: "x-sig", secrets: ["secret-b"] } });
  });

  test('passes an explicit "none" signature through', async () => {
    expect(
      await verifierConfigFor({ scheme: "generic", eventId: { jsonPath: "id" }, signature: "none" }, secrets),
    ).toEqual({
      scheme: "generic",
      eventId: { jsonPath: "id" },
      signature: "none",
    });
  });

  test("fails when a referenced secret is missing", async () => {
    await expect(verifierConfigFor({ scheme: "shopify", secrets: [{ env: "MISSING" }] }, secrets)).rejects.toThrow(
      "environment variable MISSING is not set",
    );
  });
});
