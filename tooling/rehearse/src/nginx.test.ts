import { describe, expect, it } from "vitest";
import { nginxConf } from "./nginx.ts";

describe("nginxConf", () => {
  const conf = nginxConf({
    listenPort: 8080,
    upstream: [3001, 3002],
    workerConnections: 1000,
    asRoot: false,
  });

  it("balances the given loopback gateways and passes WebSocket upgrades on", () => {
    expect(conf).toContain("listen 127.0.0.1:8080;");
    expect(conf.match(/server 127\.0\.0\.1:\d+ /g)).toEqual([
      "server 127.0.0.1:3001 ",
      "server 127.0.0.1:3002 ",
    ]);
    expect(conf).toContain("proxy_set_header Upgrade $http_upgrade;");
    expect(conf).toContain("proxy_http_version 1.1;");
  });

  it("retries a refused connection or a draining gateway's 503 on the next gateway", () => {
    expect(conf).toContain("proxy_next_upstream error timeout http_502 http_503;");
  });

  it("runs its worker as root only when the master is root, and within its file limit", () => {
    expect(conf).not.toContain("user ");
    expect(nginxConf({ listenPort: 1, upstream: [2], workerConnections: 10, asRoot: true })).toMatch(
      /^user root root;/,
    );
    expect(conf).toContain("worker_rlimit_nofile 2100;");
  });
});
