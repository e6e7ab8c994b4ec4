import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Who may use the console: whoever holds the token printed at its start. The URL's token is exchanged once for a
 * cookie (HttpOnly, SameSite=Strict: no other site's page sends it), and every request that changes state must also
 * carry the token in {@link TOKEN_HEADER}, which a form or a link from another page cannot set. The server listens
 * on 127.0.0.1 only; another local user reaches the port but not the token.
 */

/** The header a state-changing request carries the token in. */
export const TOKEN_HEADER = "x-oncegate-console-token";
/** The cookie the URL's token is exchanged for. */
export const TOKEN_COOKIE = "oncegate_console";

/** 32 random bytes, base64url: not guessable, and safe in a URL, a cookie and a header. */
export function newConsoleToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether `given` is the token, compared in constant time. */
export function isToken(token: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The console's cookie among a request's `Cookie` header, if any. */
export function cookieTokenOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === TOKEN_COOKIE) return value.join("=");
  }
  return undefined;
}

/** The `Set-Cookie` value that keeps the token for the console's pages under `basePath`. */
export function tokenCookie(token: string, basePath: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=${basePath}`;
}
