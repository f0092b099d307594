import { tokenEnvSchema } from "@emote/api/env";
import { chaosEnvSchema } from "@emote/chaos/env";
import { databaseEnvSchema } from "@emote/config";
import { serviceEnvSchema } from "@emote/generator/env";
import { infraEnvSchema } from "@emote/infra";
import { pulseEnvSchema } from "@emote/pulse/env";
import { rehearseEnvSchema } from "@emote/rehearse/env";
import { trendingEnvSchema } from "@emote/trending/env";
import { webEnvSchema } from "@emote/web/env";
import { workerEnvSchema } from "@emote/worker/env";

/** Every command that reads the environment, with the schema its --help is printed from. */
export const ENTRY_POINTS = [
  { name: "npm start", command: "npm start", schema: pulseEnvSchema },
  { name: "worker", command: "npm start -w @emote/worker", schema: workerEnvSchema },
  { name: "generator", command: "npm start -w @emote/generator", schema: serviceEnvSchema },
  { name: "web server", command: "npm start -w @emote/web", schema: webEnvSchema },
  { name: "trending", command: "npm start -w @emote/trending", schema: trendingEnvSchema },
  { name: "token", command: "npm run token", schema: tokenEnvSchema },
  { name: "db:migrate", command: "npm run db:migrate", schema: databaseEnvSchema },
  { name: "infra", command: "npm run infra:up|down|status", schema: infraEnvSchema },
  { name: "chaos", command: "npm run chaos", schema: chaosEnvSchema },
  { name: "rehearse:deploy", command: "npm run rehearse:deploy", schema: rehearseEnvSchema },
] as const;
