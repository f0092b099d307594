import { prepareTestInfra } from "@emote/infra";

/** vitest globalSetup for packages with integration tests. */
export default async function setup(): Promise<void> {
  await prepareTestInfra((line) => console.log(`[infra] ${line}`));
}
