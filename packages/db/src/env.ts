import { databaseEnvSchema, parseEnv } from "@emote/config";

export const env = parseEnv(databaseEnvSchema, process.env);
