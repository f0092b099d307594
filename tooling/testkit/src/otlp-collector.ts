import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface OtlpCollector {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Every export request received, in order. */
  requests: { path: string; body: string }[];
  close(): Promise<void>;
}

/** A stand-in OTLP/HTTP collector on 127.0.0.1 that accepts and keeps what it is sent. */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const requests: OtlpCollector["requests"] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
