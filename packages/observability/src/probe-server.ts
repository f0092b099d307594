import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Readiness } from "./readiness.ts";

export interface Probes {
  registry: Registry;
  readiness: Readiness;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/**
 * Answers GET /metrics, /healthz and /readyz; returns false for any other request so a
 * server with routes of its own (the web server) can mount it first.
 */
export function handleProbe(probes: Probes, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  switch (path) {
    case "/healthz":
      // Alive: the event loop answers. Dependencies are /readyz's business.
      sendJson(res, 200, { status: "ok", uptimeSeconds: Math.round(process.uptime()) });
      return true;
    case "/readyz":
      void probes.readiness.report().then((report) => {
        // One line per distinct failure: in the embedded mode worker and web share a database.
        const failing = new Set(
          report.checks.filter((c) => !c.ok).map((c) => `${c.label}: ${c.error ?? "failed"}`),
        );
        if (report.checks.length === 0) failing.add("starting: no dependency connected yet");
        if (report.stopping !== undefined) failing.add(report.stopping);
        sendJson(res, report.ready ? 200 : 503, {
          status: report.ready ? "ready" : "not ready",
          ...(failing.size > 0 && { failing: [...failing] }),
          checks: report.checks,
        });
      });
      return true;
    case "/metrics":
      probes.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": probes.registry.contentType });
          res.end(text);
        },
        (err: Error) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`metrics unavailable: ${err.message}\n`);
        },
      );
      return true;
    default:
      return false;
  }
}

export interface ProbeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The probe endpoints on their own port, for processes without an HTTP server. */
export async function startProbeServer(
  probes: Probes,
  { host, port }: { host: string; port: number },
): Promise<ProbeServer> {
  const server = createServer((req, res) => {
    if (!handleProbe(probes, req, res))
      sendJson(res, 404, { error: "not found: try /metrics, /healthz, /readyz" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`METRICS_PORT ${port} on ${host} is in use; set METRICS_PORT to a free port (0 = any)`)
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
