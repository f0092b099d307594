import { databaseEnvSchema, kafkaEnvSchema } from "@emote/config";

/** What `npm run infra:*` reads; `test-env` defaults DATABASE_URL to the emote_test database instead. */
export const infraEnvSchema = kafkaEnvSchema.extend(databaseEnvSchema.shape);
