import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CONFIGURATION_DOC, renderConfigurationDoc } from "./configuration-doc.ts";

writeFileSync(CONFIGURATION_DOC, renderConfigurationDoc());
console.log(`wrote ${fileURLToPath(CONFIGURATION_DOC)}`);
