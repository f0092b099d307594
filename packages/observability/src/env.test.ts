import { describe, expect, it } from "vitest";
import { readFallbackLogEnv } from "./env.ts";

describe("readFallbackLogEnv", () => {
  it("keeps a valid LOG_FORMAT while other variables are invalid", () => {
    expect(readFallbackLogEnv({ LOG_FORMAT: "pretty", METRICS_PORT: "abc" })).toEqual({
      LOG_LEVEL: "info",
      LOG_FORMAT: "pretty",
    });
    expect(readFallbackLogEnv({ LOG_FORMAT: "json", PORT: "abc" })).toEqual({
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
    });
  });

  it("leaves the format to the terminal when LOG_FORMAT is invalid or empty", () => {
    expect(readFallbackLogEnv({ LOG_FORMAT: "xml" })).toEqual({ LOG_LEVEL: "info", LOG_FORMAT: undefined });
    expect(readFallbackLogEnv({ LOG_FORMAT: "" })).toEqual({ LOG_LEVEL: "info", LOG_FORMAT: undefined });
    expect(readFallbackLogEnv({})).toEqual({ LOG_LEVEL: "info", LOG_FORMAT: undefined });
  });

  it("logs at info whatever LOG_LEVEL says, so the fatal line shows", () => {
    expect(readFallbackLogEnv({ LOG_LEVEL: "silent", LOG_FORMAT: "json" })).toEqual({
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
    });
  });
});
