import { describe, expect, it } from "vitest";
import { parseRawEmote } from "@emote/contracts";
import { isTraceparent } from "@emote/observability";
import { EmoteStamper, VIEWER_HEADER, ViewerIds } from "./emote-records.ts";

describe("ViewerIds", () => {
  it("is stable for a key and secret, differs by key and by secret, and never shows the key", () => {
    const a = new ViewerIds("secret-one-secret-one-secret-one");
    const b = new ViewerIds("secret-two-secret-two-secret-two");
    const id = a.of("addr:203.0.113.7");
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new ViewerIds("secret-one-secret-one-secret-one").of("addr:203.0.113.7")).toBe(id);
    expect(a.of("addr:203.0.113.8")).not.toBe(id);
    expect(b.of("addr:203.0.113.7")).not.toBe(id);
    expect(id).not.toContain("203");
  });
});

describe("EmoteStamper", () => {
  it("makes a raw-emote-data record the worker accepts, keyed by streamer, with server-side fields", () => {
    const stamper = new EmoteStamper(new ViewerIds("secret-one-secret-one-secret-one"));
    const before = Date.now();
    const one = stamper.stamp("s1", "🔥", "sub:viewer:alice");
    const two = stamper.stamp("s1", "🔥", "sub:viewer:alice");
    expect(one.id).not.toBe(two.id);
    expect(one.record.key).toBe("s1");
    const parsed = parseRawEmote(Buffer.from(one.record.value));
    expect(parsed).toEqual({
      ok: true,
      value: { emote: "🔥", streamerId: "s1", id: one.id, timestampMs: Date.parse(one.timestamp) },
    });
    expect(Date.parse(one.timestamp)).toBeGreaterThanOrEqual(before);
    const headers = one.record.headers ?? {};
    expect(isTraceparent(String(headers.traceparent))).toBe(true);
    expect(headers.traceparent).not.toBe(two.record.headers?.traceparent);
    expect(headers[VIEWER_HEADER]).toBe(
      new ViewerIds("secret-one-secret-one-secret-one").of("sub:viewer:alice"),
    );
  });
});
