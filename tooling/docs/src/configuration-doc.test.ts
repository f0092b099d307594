import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIGURATION_DOC, renderConfigurationDoc } from "./configuration-doc.ts";

describe("docs/configuration.md", () => {
  it("is what npm run docs:config writes from the env schemas", () => {
    const committed = readFileSync(CONFIGURATION_DOC, "utf8");
    expect(
      committed === renderConfigurationDoc(),
      "docs/configuration.md is stale: run `npm run docs:config` and commit the result",
    ).toBe(true);
  });

  it("documents every variable of the generator's options and of the web server", () => {
    const doc = renderConfigurationDoc();
    for (const name of [
      "GENERATOR_RATE",
      "GENERATOR_SHUTDOWN_TIMEOUT_MS",
      "WS_BUFFER_BYTES",
      "AUTH_SECRET",
    ]) {
      expect(doc).toContain(`\`${name}\``);
    }
  });
});
