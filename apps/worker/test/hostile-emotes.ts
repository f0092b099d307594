import fc from "fast-check";

/** Code points a hostile producer would pick: any code point, plus lone surrogates, U+0000, C1 controls, combining marks. */
const hostileUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom("\ud83d", "\udc00", "\u0000", "\u0085", "\u007f", "\u0301", "🔥") },
);
const hostileString = (maxLength: number) => fc.string({ unit: hostileUnit, maxLength });

/**
 * Raw emotes as a hostile producer might write them: strings of any code points (lone
 * surrogates and U+0000 included) and near-emotes, dates from year 0 to 9999, optional ids.
 */
export const hostileEmote = fc.record(
  {
    // Emotes by the contract's rule often enough that plenty go on to the analysis.
    emote: fc.oneof(
      hostileString(70),
      fc.constantFrom("🔥", "❤️", "❤", "👩‍💻", "🇫🇷", ":kappa:", "🔥\u202e", " ", "hello", ":a b:"),
    ),
    // Mostly plausible dates, so plenty are accepted and go on to the analysis and storage.
    timestamp: fc
      .oneof(
        {
          weight: 4,
          arbitrary: fc.date({
            min: new Date(Date.UTC(2000, 0, 1)),
            max: new Date(Date.UTC(2026, 0, 1)),
            noInvalidDate: true,
          }),
        },
        {
          weight: 1,
          arbitrary: fc.date({
            min: new Date(Date.UTC(0, 0, 1)),
            max: new Date(Date.UTC(9999, 11, 31)),
            noInvalidDate: true,
          }),
        },
      )
      .map((d) => d.toISOString()),
    streamerId: fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
      fc.constantFrom("..", "s1"),
      hostileString(10),
    ),
    id: hostileString(130),
  },
  { requiredKeys: ["emote", "timestamp"] },
);
