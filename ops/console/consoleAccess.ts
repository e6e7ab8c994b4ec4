import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Who may use the console: whoever opened a sign-in URL first. A URL's token signs in once: its first visit gets a
 * new session (a cookie, HttpOnly and SameSite=Strict: no other site's page sends it) and the token is spent, so a
 * URL left in a terminal's scrollback, a shell history or a screen share opens nothing later. Every request that
 * changes state must also carry the session's action token in {@link TOKEN_HEADER}, which the console's own pages
 * hold and a form or a link from another page cannot set. The server listens on 127.0.0.1 only; another local user
 * reaches the port but neither token. Sessions live as long as the console runs.
 */

/** The header a state-changing request carries the session's action token in. */
export const TOKEN_HEADER = "x-oncegate-console-token";
/** The cookie a sign-in URL is exchanged for. */
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

/** The `Set-Cookie` value that keeps a session for the console's pages under `basePath` (until the browser closes). */
export function tokenCookie(session: string, basePath: string): string {
  return `${TOKEN_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=${basePath}`;
}

/** A signed-in browser: its cookie's value, and the token its pages send with an action. */
export interface ConsoleSession {
  id: string;
  actionToken: string;
}

/** What a sign-in URL's visit comes to. */
export type SignIn =
  | { outcome: "signed_in"; session: ConsoleSession }
  /** The token was spent already: by this browser (`session` set, nothing new to do) or by another. */
  | { outcome: "spent"; session?: ConsoleSession }
  | { outcome: "refused" };

/** The sign-in tokens and the sessions of one running console (in memory: nothing of it outlives the process). */
export class ConsoleAccess {
  private readonly signInTokens: { token: string; spent: boolean }[] = [];
  private readonly sessions: ConsoleSession[] = [];

  /** @param firstToken the token of the URL printed at start; a new random one by default */
  constructor(firstToken: string = newConsoleToken()) {
    this.issue(firstToken);
  }

  /** The token of the first sign-in URL. */
  get firstToken(): string {
    return this.signInTokens[0]?.token ?? "";
  }

  /** A new sign-in token, for one more browser. */
  issue(token: string = newConsoleToken()): string {
    this.signInTokens.push({ token, spent: false });
    return token;
  }

  /** A visit of a sign-in URL: spends its token on its first visit. */
  signIn(given: string | undefined, cookieHeader: string | undefined): SignIn {
    // Every token is compared, in constant time: the visit's time says nothing of which one it was close to.
    const entry = this.signInTokens.filter((candidate) => isToken(candidate.token, given))[0];
    if (entry === undefined) return { outcome: "refused" };
    if (entry.spent) {
      const session = this.sessionOf(cookieHeader);
      return session === undefined ? { outcome: "spent" } : { outcome: "spent", session };
    }
    entry.spent = true;
    const session = { id: newConsoleToken(), actionToken: newConsoleToken() };
    this.sessions.push(session);
    return { outcome: "signed_in", session };
  }

  /** The session a request's cookie names, if it names one. */
  sessionOf(cookieHeader: string | undefined): ConsoleSession | undefined {
    const id = cookieTokenOf(cookieHeader);
    return this.sessions.filter((session) => isToken(session.id, id))[0];
  }
}
