/** A console session opened outside a browser: its cookie, and the action token its pages carry. */
export interface ConsoleSignIn {
  cookie: string;
  actionToken: string;
}

/**
 * Signs in with a sign-in URL (spending its token) as a browser does: the cookie of the 303, then the action token
 * from the page it leads to (the `oncegate-token` meta the console's script reads).
 */
export async function signInConsole(signInUrl: string): Promise<ConsoleSignIn> {
  const first = await fetch(signInUrl, { redirect: "manual" });
  if (first.status !== 303) throw new Error(`signing in answered ${first.status}: ${await first.text()}`);
  const cookie = (first.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const landing = new URL(first.headers.get("location") ?? "", signInUrl);
  const html = await (await fetch(landing, { headers: { cookie } })).text();
  const actionToken = /<meta name="oncegate-token" content="([\w-]+)">/.exec(html)?.[1];
  if (actionToken === undefined) throw new Error("the console's page carries no action token");
  return { cookie, actionToken };
}
