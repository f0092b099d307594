import type { AppRouter } from "@emote/api";
import type { TRPCClientErrorLike } from "@trpc/client";

/** An error from any procedure, typed by the server's error formatter. */
export type ApiError = TRPCClientErrorLike<AppRouter>;

/** The first message the server gave for a field of a BAD_REQUEST, if it named the field. */
export function fieldError(error: ApiError | null, field: string): string | undefined {
  const fieldErrors: Partial<Record<string, string[]>> = error?.data?.zodError?.fieldErrors ?? {};
  return fieldErrors[field]?.[0];
}

/** What to say about an error that is not about one named field (null when there is none). */
export function generalError(error: ApiError | null): string | null {
  if (!error) return null;
  const zodError = error.data?.zodError;
  if (zodError) {
    if (zodError.formErrors[0]) return zodError.formErrors[0];
    return Object.keys(zodError.fieldErrors).length > 0 ? null : error.message;
  }
  switch (error.data?.code) {
    case "UNAUTHORIZED":
      return `Your token was not accepted (${error.message}). Sign in again.`;
    case "FORBIDDEN":
      return `Not allowed: ${error.message}.`;
    default:
      return error.message || "Something went wrong.";
  }
}
