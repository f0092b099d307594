import { describe, expect, it } from "vitest";
import { VIEWER_HEADER_MAX } from "@emote/contracts";
import { viewerFromHeaders, viewerHash } from "./viewer-header.ts";

describe("viewerFromHeaders", () => {
  it("reads the viewer header as a Buffer, a string or the first of several", () => {
    expect(viewerFromHeaders({ viewer: Buffer.from("Zx9_") })).toBe("Zx9_");
    expect(viewerFromHeaders({ viewer: "abc" })).toBe("abc");
    expect(viewerFromHeaders({ viewer: [Buffer.from("first"), "second"] })).toBe("first");
  });

  it("ignores a missing, empty or over-long one (the record counts as a viewer of its own)", () => {
    expect(viewerFromHeaders(undefined)).toBeUndefined();
    expect(viewerFromHeaders({ traceparent: "x" })).toBeUndefined();
    expect(viewerFromHeaders({ viewer: "" })).toBeUndefined();
    expect(viewerFromHeaders({ viewer: "v".repeat(VIEWER_HEADER_MAX) })).toHaveLength(VIEWER_HEADER_MAX);
    expect(viewerFromHeaders({ viewer: "v".repeat(VIEWER_HEADER_MAX + 1) })).toBeUndefined();
    expect(viewerFromHeaders({ viewer: Buffer.alloc(10_000, 0x61) })).toBeUndefined();
  });
});

describe("viewerHash", () => {
  it("is stable and tells viewers apart", () => {
    expect(viewerHash("v1")).toBe(viewerHash("v1"));
    const hashes = new Set(Array.from({ length: 10_000 }, (_, i) => viewerHash(`v${i}`)));
    expect(hashes.size).toBe(10_000);
  });
});
