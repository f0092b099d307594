import { describe, expect, it } from "vitest";
import { hostAllowlist, hostName } from "./host-allowlist.ts";

describe("hostName", () => {
  it.each([
    ["localhost:3000", "localhost"],
    ["LOCALHOST", "localhost"],
    ["[::1]:3000", "::1"],
    ["example.com.:443", "example.com"],
    ["127.0.0.1", "127.0.0.1"],
  ])("%s → %s", (host, name) => expect(hostName(host)).toBe(name));
});

describe("hostAllowlist", () => {
  it("answers loopback names and the bound address by default, not a rebinding name", () => {
    const allowed = hostAllowlist([], "127.0.0.1");
    for (const host of ["127.0.0.1:3000", "localhost:5173", "[::1]:3000", "127.0.0.2"]) {
      expect(allowed(host)).toBe(true);
    }
    for (const host of ["evil.example:3000", "127.0.0.1.evil.example", "localhost.evil", "", undefined]) {
      expect(allowed(host)).toBe(false);
    }
  });

  it("adds the configured names and a named bind address, never 0.0.0.0", () => {
    const allowed = hostAllowlist(["pulse.example.com", "web"], "0.0.0.0");
    expect(allowed("pulse.example.com")).toBe(true);
    expect(allowed("web:3000")).toBe(true);
    expect(allowed("0.0.0.0:3000")).toBe(false);
    expect(hostAllowlist([], "10.1.2.3")("10.1.2.3:3000")).toBe(true);
  });

  it("lets everything through with *", () => {
    expect(hostAllowlist(["*"], "127.0.0.1")("anything.example")).toBe(true);
  });
});
