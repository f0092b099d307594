import { isLoopbackHost } from "@emote/config";

/** The host name of a Host header, without its port, lower-cased (`[::1]:3000` → `::1`). */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith("["))
    return lower.slice(1, lower.indexOf("]") === -1 ? undefined : lower.indexOf("]"));
  return lower.replace(/:\d*$/, "").replace(/\.$/, "");
}

/**
 * Which Host headers the server answers to. A DNS-rebinding page reaches a loopback server
 * under the attacker's name, so its requests carry that name as Host: only loopback names,
 * the address the server is bound to and the configured names pass. `*` turns it off
 * (behind a proxy that checks Host itself).
 */
export function hostAllowlist(
  configured: readonly string[],
  bindHost: string,
): (host: string | undefined) => boolean {
  if (configured.includes("*")) return () => true;
  const names = new Set(configured.map(hostName));
  const bind = hostName(bindHost);
  // 0.0.0.0 / :: are not names a client uses.
  if (bind !== "0.0.0.0" && bind !== "::" && bind !== "") names.add(bind);
  return (host) => {
    if (!host) return false;
    const name = hostName(host);
    return names.has(name) || isLoopbackHost(name);
  };
}
