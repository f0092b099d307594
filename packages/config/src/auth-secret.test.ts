import { describe, expect, it } from "vitest";
import { ConfigError, DEV_AUTH_SECRET, isLoopbackHost, requireAuthSecret } from "./index.ts";

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.1", false],
    ["localhost.example.com", false],
  ])("%s → %s", (host, loopback) => expect(isLoopbackHost(host)).toBe(loopback));
});

describe("requireAuthSecret", () => {
  const real = "r".repeat(48);
  it("refuses an unset secret in one line that names it and how to make one", () => {
    expect(() => requireAuthSecret({}, "127.0.0.1")).toThrow(ConfigError);
    expect(() => requireAuthSecret({}, "127.0.0.1")).toThrow(
      /^AUTH_SECRET is not set: make one with `openssl rand -base64 48`[^\n]*$/,
    );
  });

  it("allows the development secret only on loopback outside production", () => {
    expect(requireAuthSecret({ AUTH_SECRET: DEV_AUTH_SECRET }, "127.0.0.1")).toBe(DEV_AUTH_SECRET);
    expect(() => requireAuthSecret({ AUTH_SECRET: DEV_AUTH_SECRET }, "0.0.0.0")).toThrow(
      "AUTH_SECRET is the development secret, refused on HOST=0.0.0.0",
    );
    expect(() =>
      requireAuthSecret({ AUTH_SECRET: DEV_AUTH_SECRET, NODE_ENV: "production" }, "127.0.0.1"),
    ).toThrow("refused with NODE_ENV=production");
  });

  it("takes a real secret anywhere", () => {
    expect(requireAuthSecret({ AUTH_SECRET: real, NODE_ENV: "production" }, "0.0.0.0")).toBe(real);
  });
});
