import { createServer, type Server } from "node:http";
import { freePort } from "../../local/freePort.ts";

/** One delivery the destination forwarded, and the demo consumer's answer to it (502 when it could not be reached). */
export interface ForwardedDelivery {
  key: string;
  /** As the `Oncegate-Event-Id` header carries it (percent-encoded where a header needs it). */
  eventId: string;
  status: number;
}

/**
 * A destination the harness controls: it forwards each delivery, byte for byte and with its headers, to the demo
 * consumer of the stack (so the SDK deduplicates and the charges and receipts are counted as everywhere else),
 * counts the deliveries per `Idempotency-Key` and records each answer. Until {@link ForwardingConsumer.listen}
 * nothing listens on its port: the gateway gets "connection refused", as from a consumer that is down.
 */
export class ForwardingConsumer {
  readonly deliveriesByKey = new Map<string, number>();
  /** In the order the consumer answered; a delivery the gateway gave up on (its timeout) is recorded all the same. */
  readonly answers: ForwardedDelivery[] = [];
  #server: Server | undefined;

  readonly port: number;
  readonly #target: string;

  constructor(port: number, target: string) {
    this.port = port;
    this.#target = target;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  listen(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const key = String(request.headers["idempotency-key"] ?? "");
        this.deliveriesByKey.set(key, (this.deliveriesByKey.get(key) ?? 0) + 1);
        const eventId = String(request.headers["oncegate-event-id"] ?? "");
        const headers = Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === "string" && entry[0] !== "host",
        );
        fetch(this.#target, { method: "POST", headers, body: Buffer.concat(chunks) })
          .then(async (answer) => {
            this.answers.push({ key, eventId, status: answer.status });
            response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
            response.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => {
            this.answers.push({ key, eventId, status: 502 });
            response.writeHead(502).end();
          });
      });
    });
    this.#server = server;
    return new Promise((resolve) => server.listen(this.port, "127.0.0.1", () => resolve()));
  }

  close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

/**
 * A stack port and a forwarding destination in front of that stack's demo consumer (not listening yet): start the
 * stack on `port` with `ONCEGATE_DESTINATIONS: consumer.url`.
 */
export async function forwardingToDemoConsumer(): Promise<{ port: number; consumer: ForwardingConsumer }> {
  const port = await freePort();
  const consumer = new ForwardingConsumer(await freePort(), `http://127.0.0.1:${port}/consumer/demo`);
  return { port, consumer };
}
