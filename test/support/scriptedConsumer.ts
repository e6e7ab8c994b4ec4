import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the consumer received, body bytes exactly as sent. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** How the consumer answers one request; it may write anything, slowly, or never. */
export type Reply = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1 whose answers a test scripts. */
export interface ScriptedConsumer {
  /** `http://127.0.0.1:<port>/hooks` */
  url: string;
  requests: ReceivedRequest[];
  /** Replaces the script; requests already received stay in `requests`. */
  script(reply: Reply): void;
  close(): Promise<void>;
}

/** Answers with a status, an optional body and headers. */
export function respond(status: number, body = "", headers: Record<string, string> = {}): Reply {
  return (_request, response) => {
    response.writeHead(status, headers).end(body);
  };
}

/** Answers the n-th request (counted from the script's start) with `replies[n]`, then repeats the last one. */
export function inSequence(...replies: Reply[]): Reply {
  let next = 0;
  return (request, response) => {
    const reply = replies[Math.min(next++, replies.length - 1)] ?? respond(200);
    return reply(request, response);
  };
}

/** Never answers: the client times out. */
export const hang: Reply = () => {};

/** Sends the status at once, then `chunkBytes` every `intervalMs`, without end. */
export function endlessBody(status: number, chunkBytes: number, intervalMs: number): Reply {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "text/plain" });
    const chunk = Buffer.alloc(chunkBytes, "x");
    const timer = setInterval(() => {
      if (response.destroyed) clearInterval(timer);
      else response.write(chunk);
    }, intervalMs);
    response.on("close", () => clearInterval(timer));
    response.write(chunk);
  };
}

/** Starts a consumer answering 200 until scripted otherwise. */
export async function startScriptedConsumer(reply: Reply = respond(200)): Promise<ScriptedConsumer> {
  let current = reply;
  const requests: ReceivedRequest[] = [];
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? "",
        path: incoming.url ?? "",
        headers: Object.fromEntries(
          Object.entries(incoming.headers).map(([name, value]) => [
            name,
            Array.isArray(value) ? value.join(", ") : (value ?? ""),
          ]),
        ),
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      Promise.resolve(current(request, response)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    script(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging and endless replies keep their sockets open: cut them, or close() would wait forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: connecting to it is refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hooks`;
}
