/**
 * Text PostgreSQL (text and jsonb) and JSON can hold: well-formed UTF-16 (no lone
 * surrogate, which no UTF-8 encoder can write) and no U+0000 (which neither text nor
 * jsonb accepts). With the `u` flag a surrogate pair is one code point, so \p{Cs} finds
 * only lone halves.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what it looks for
const UNSTORABLE = /[\u0000\p{Cs}]/u;
/** Identifiers also carry no control character (C0, DEL, C1): they end up in logs and headers. */
const UNFIT_FOR_ID = /[\p{Cc}\p{Cs}]/u;

export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

export function isStorableId(s: string): boolean {
  return !UNFIT_FOR_ID.test(s);
}

export const UNSTORABLE_TEXT_MESSAGE = "must be well-formed Unicode without U+0000";
export const UNFIT_ID_MESSAGE = "must be well-formed Unicode without control characters";
