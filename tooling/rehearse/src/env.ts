import { databaseEnvSchema, kafkaEnvSchema, parseEnv } from "@emote/config";
import { z } from "zod";
import { DEFAULT_NGINX } from "./nginx.ts";

export const rehearseEnvSchema = kafkaEnvSchema.extend(databaseEnvSchema.shape).extend({
  NGINX_BIN: z
    .string()
    .min(1)
    .default(DEFAULT_NGINX)
    .describe("The nginx binary the rollout rehearsal runs in front of the gateways (Debian's package)."),
});
export type RehearseEnv = z.infer<typeof rehearseEnvSchema>;

export function readRehearseEnv(source: Record<string, string | undefined> = process.env): RehearseEnv {
  return parseEnv(rehearseEnvSchema, source);
}
