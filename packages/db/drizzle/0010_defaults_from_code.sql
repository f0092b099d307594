-- The defaults are written once, in code (DEFAULT_SETTINGS of @emote/contracts), which
-- applies whenever there is no '*' row. Migration 0001 seeded that row with the same
-- values: removed here where it still holds exactly that seed, so a database created before
-- follows the code's defaults too; a '*' row an operator changed stays, and overrides them.
DELETE FROM "streamer_settings"
WHERE "streamer_id" = '*'
  AND "interval" = 30
  AND "threshold" = 0.3
  AND "allowed_emotes" = ARRAY['😀','😡','😢','😮','❤️','👍','👎','🔥']::text[];
