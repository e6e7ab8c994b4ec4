import { Agent, request } from "node:http";

/** What a server answered: its status, the one header the replay check reads, and the body. */
export interface HttpAnswer {
  statusCode: number;
  idempotencyStatus: string | undefined;
  body: string;
}

/**
 * A client of one server for the benchmark: plain `node:http` over keep-alive connections (as many as the
 * scenario's concurrency), so a timed request is one loopback round trip on an open connection, not a TCP handshake
 * and not a fetch implementation's own overhead.
 */
export function httpClient(origin: string, maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(origin);
  return {
    post(path: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
      return new Promise((resolve, reject) => {
        const outgoing = request(
          {
            agent,
            hostname,
            port,
            path,
            method: "POST",
            headers: { ...headers, "content-length": Buffer.byteLength(body) },
          },
          (incoming) => {
            const chunks: Buffer[] = [];
            incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
            incoming.on("end", () =>
              resolve({
                statusCode: incoming.statusCode ?? 0,
                idempotencyStatus: incoming.headers["idempotency-status"] as string | undefined,
                body: Buffer.concat(chunks).toString("utf8"),
              }),
            );
            incoming.on("error", reject);
          },
        );
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
