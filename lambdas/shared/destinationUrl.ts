import { InvalidConfigurationError } from "./errors.ts";

// The WHATWG parser has already normalised "127.1", "0x7f.0.0.1" and "LOCALHOST" by the time we look.
const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** True for the hosts a plain-http destination may use: 127.0.0.0/8, `localhost` and `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || LOOPBACK_IPV4.test(hostname);
}

/**
 * A destination URL: absolute, `https:`, or `http:` to a loopback host (local stack and tests only), with no
 * credentials in it (signing secrets are the way to authenticate, and they are referenced, never inlined).
 * @throws {@link InvalidConfigurationError} naming `path`
 */
export function readDestinationUrl(value: unknown, path: string): string {
  if (typeof value !== "string" || !URL.canParse(value)) {
    throw new InvalidConfigurationError(path, "expected an absolute URL");
  }
  const url = new URL(value);
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new InvalidConfigurationError(path, "expected https: (http: is allowed for loopback hosts only)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidConfigurationError(path, `expected https:, got ${url.protocol}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new InvalidConfigurationError(path, "must not contain credentials (use signingSecrets)");
  }
  return value;
}
