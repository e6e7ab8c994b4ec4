import { describe, expect, test } from "@jest/globals";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { bodySizeOf, methodOf, providerOf, signedRequestOf } from "../../../../lambdas/intake/intakeRequest.ts";
import { httpApiEvent } from "../../../support/signedWebhooks.ts";

const loose = (value: unknown) => value as APIGatewayProxyEventV2;

describe("providerOf", () => {
  test("prefers the path parameter, else takes the last segment of rawPath", () => {
    expect(providerOf(httpApiEvent({ provider: "stripe", body: "" }))).toBe("stripe");
    expect(providerOf(httpApiEvent({ provider: "github", body: "", withoutPathParameters: true }))).toBe("github");
    expect(providerOf(loose({ rawPath: "/prod/webhooks/shopify/" }))).toBe("shopify");
  });

  test("is undefined when there is none", () => {
    expect(providerOf(loose({ rawPath: "/" }))).toBeUndefined();
    expect(providerOf(loose({}))).toBeUndefined();
    expect(providerOf(undefined)).toBeUndefined();
  });
});

describe("methodOf and bodySizeOf", () => {
  test("upper-case the method, and tolerate a missing request context", () => {
    expect(methodOf(httpApiEvent({ provider: "p", body: "", method: "post" }))).toBe("POST");
    expect(methodOf(loose({}))).toBe("");
  });

  test("measure the decoded size without decoding", () => {
    expect(bodySizeOf(httpApiEvent({ provider: "p", body: "é" }))).toBe(2);
    expect(bodySizeOf(httpApiEvent({ provider: "p", body: Buffer.alloc(1000), base64: true }))).toBe(1000);
    expect(bodySizeOf(loose({ body: 5 }))).toBe(0);
  });
});

describe("signedRequestOf", () => {
  test("decodes a base64 body to its exact bytes and lower-cases header names", () => {
    const bytes = Buffer.from([0, 0xff, 0x80, 0x0a]);
    const event = httpApiEvent({ provider: "p", body: bytes, base64: true, headers: { "X-Hub-Signature-256": "s" } });
    const request = signedRequestOf(event);
    expect(request.rawBody.equals(bytes)).toBe(true);
    expect(request.headers["x-hub-signature-256"]).toBe("s");
    expect(request).toMatchObject({ method: "POST", rawPath: "/webhooks/p" });
  });

  test("keeps a text body's UTF-8 bytes", () => {
    expect(signedRequestOf(httpApiEvent({ provider: "p", body: '{"a":"é"}' })).rawBody.toString("hex")).toBe(
      Buffer.from('{"a":"é"}').toString("hex"),
    );
  });

  test("turns a malformed event into an empty request instead of throwing", () => {
    expect(signedRequestOf(loose({ headers: { a: 1, b: null, c: "x" } }))).toEqual({
      rawBody: Buffer.alloc(0),
      headers: { c: "x" },
      method: "",
      rawPath: "",
      rawQueryString: "",
    });
    expect(signedRequestOf(null).headers).toEqual({});
  });

  test("keeps a header named __proto__ as a plain own entry", () => {
    const request = signedRequestOf(loose({ headers: JSON.parse('{"__proto__":"x"}') }));
    expect(Object.hasOwn(request.headers, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(request.headers)).toBe(Object.prototype);
  });
});
