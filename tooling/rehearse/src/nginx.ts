import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@emote/testkit";

/** Debian's package puts it here; NGINX_BIN names another. */
export const DEFAULT_NGINX = "/usr/sbin/nginx";

export interface NginxConfOptions {
  /** The loopback port clients connect to. */
  listenPort: number;
  /** The gateways' loopback ports: the upstream. */
  upstream: readonly number[];
  /** Connections per worker: every client takes two (its own and the upstream one). */
  workerConnections: number;
  /** The master runs as root: its worker must too, to use the temporary prefix. */
  asRoot: boolean;
}

/**
 * nginx as a WebSocket-aware balancer in front of the gateways: HTTP/1.1 upstream with the
 * Upgrade headers passed on, hour-long read timeouts (subscriptions are idle for long),
 * a connection refused or a 502/503 (a draining gateway) retried on the next gateway, and
 * a failed gateway left alone for 2 s. Everything it writes stays under its prefix.
 */
export function nginxConf(opts: NginxConfOptions): string {
  const servers = opts.upstream
    .map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`)
    .join("\n");
  return `${opts.asRoot ? "user root root;\n" : ""}worker_processes 1;
worker_rlimit_nofile ${opts.workerConnections * 2 + 100};
pid nginx.pid;
error_log logs/error.log warn;
events { worker_connections ${opts.workerConnections}; }
http {
  access_log off;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; "" close; }
  upstream gateways {
${servers}
  }
  server {
    listen 127.0.0.1:${opts.listenPort};
    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_connect_timeout 2s;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
    }
  }
}
`;
}

export interface RunningNginx {
  url: string;
  port: number;
  /** Points the upstream at `ports` (the configuration rewritten, then `nginx -s reload`). */
  switchTo(ports: readonly number[]): void;
  /** Ends it (SIGQUIT: graceful), SIGKILL after 5 s; removes its prefix. */
  stop(): Promise<void>;
  process: ChildProcess;
}

/** Fails with what to do when nginx is not installed: the rehearsal needs the real one. */
export function assertNginx(bin: string): void {
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(
      `nginx not found at ${bin}: install Debian's package (apt-get install nginx) or set NGINX_BIN`,
    );
  }
}

/** nginx as a child (not a daemon) with its own prefix and configuration in a temporary folder. */
export async function startNginx(
  bin: string,
  opts: Omit<NginxConfOptions, "asRoot">,
  onExit: (code: number | null) => void,
): Promise<RunningNginx> {
  assertNginx(bin);
  const prefix = mkdtempSync(join(tmpdir(), "emote-rehearse-nginx-"));
  for (const dir of ["logs", "tmp"]) mkdirSync(join(prefix, dir));
  const confPath = join(prefix, "nginx.conf");
  const asRoot = process.getuid?.() === 0;
  const write = (upstream: readonly number[]) =>
    writeFileSync(confPath, nginxConf({ ...opts, upstream, asRoot }));
  write(opts.upstream);
  const args = ["-p", prefix, "-c", confPath];
  const test = spawnSync(bin, [...args, "-t"], { encoding: "utf8" });
  if (test.status !== 0) throw new Error(`nginx refused its configuration: ${test.stderr.trim()}`);
  const child = spawn(bin, [...args, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr?.on("data", (d: Buffer) => process.stderr.write(`[nginx] ${d.toString()}`));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      onExit(code);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${opts.listenPort}`;
  await waitFor(
    "nginx to listen",
    () =>
      fetch(`${url}/nginx-probe`).then(
        () => true,
        () => false,
      ),
    15_000,
    100,
  );
  return {
    url,
    port: opts.listenPort,
    process: child,
    switchTo(ports) {
      write(ports);
      const reload = spawnSync(bin, [...args, "-s", "reload"], { encoding: "utf8" });
      if (reload.status !== 0) throw new Error(`nginx -s reload failed: ${reload.stderr.trim()}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGQUIT");
        const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
