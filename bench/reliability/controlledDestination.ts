import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";

/** One POST the destination received, and what it answered. */
export interface ReceivedDelivery {
  key: string;
  eventId: string;
  atMs: number;
  /** What it answered; `undefined` when it never did (slow: the gateway had given up by then). */
  status?: number;
}

/**
 * How the destination behaves now: `ok` answers 200 at once; `slow` answers 200 only after `slowMs` (longer than
 * the gateway's timeout, so every attempt times out); `down` listens on nothing, so the gateway's connections are
 * refused, as from a destination whose host is down.
 */
export type DestinationMode = { kind: "ok" } | { kind: "slow"; slowMs: number } | { kind: "down" };

/**
 * A destination the reliability harness switches between healthy, slow and down while the gateway delivers to it,
 * recording every POST (its `Idempotency-Key`, `Oncegate-Event-Id`, arrival time and answer) so a scenario can
 * count what arrived, twice or never, and how late.
 */
export class ControlledDestination {
  readonly deliveries: ReceivedDelivery[] = [];
  readonly port: number;
  #mode: DestinationMode = { kind: "ok" };
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  get mode(): DestinationMode {
    return this.#mode;
  }

  /** Switches the behaviour; `down` closes the port and every open connection, anything else listens again. */
  async setMode(mode: DestinationMode): Promise<void> {
    this.#mode = mode;
    if (mode.kind === "down") await this.#close();
    else if (this.#server === undefined) await this.#listen();
  }

  /** Keys answered 2xx more than once: an effect a consumer without its own deduplication would repeat. */
  keysAnsweredTwice(): string[] {
    const answered = new Map<string, number>();
    for (const delivery of this.deliveries) {
      if (delivery.status !== undefined && delivery.status < 300) {
        answered.set(delivery.key, (answered.get(delivery.key) ?? 0) + 1);
      }
    }
    return [...answered].filter(([, count]) => count > 1).map(([key]) => key);
  }

  /** The first 2xx answer's time for each event id. */
  firstAnsweredAtMs(): Map<string, number> {
    const first = new Map<string, number>();
    for (const delivery of this.deliveries) {
      if (delivery.status !== undefined && delivery.status < 300 && !first.has(delivery.eventId)) {
        first.set(delivery.eventId, delivery.atMs);
      }
    }
    return first;
  }

  requestsSince(atMs: number): number {
    return this.deliveries.filter((delivery) => delivery.atMs >= atMs).length;
  }

  close(): Promise<void> {
    return this.#close();
  }

  #listen(): Promise<void> {
    const server = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        const delivery: ReceivedDelivery = {
          key: String(request.headers["idempotency-key"] ?? ""),
          eventId: decodeURIComponent(String(request.headers["oncegate-event-id"] ?? "")),
          atMs: performance.now(),
        };
        this.deliveries.push(delivery);
        const answer = () => {
          if (response.destroyed) return;
          delivery.status = 200;
          response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
        };
        const mode = this.#mode;
        if (mode.kind === "slow") setTimeout(answer, mode.slowMs);
        else answer();
      });
    });
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    this.#server = server;
    return new Promise((resolve) => server.listen(this.port, "127.0.0.1", () => resolve()));
  }

  async #close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections would otherwise keep taking requests after the port is closed.
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
