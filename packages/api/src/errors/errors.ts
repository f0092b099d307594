import type { ZodError, core } from "zod";

type Issue = core.$ZodIssue;

// zod's own messages ("Too big: expected number to be <1") are for developers; a schema's
// own message ("threshold must be below 1") is kept.
const ZOD_DEFAULT = /^(Too (big|small)|Invalid|Unrecognized)/;

function sizeUnit(origin: string): string {
  if (origin === "string") return " characters";
  if (origin === "array" || origin === "set") return " items";
  return "";
}

function sentence(issue: Issue): string {
  switch (issue.code) {
    case "too_big":
      return issue.inclusive === false
        ? `must be below ${issue.maximum}${sizeUnit(issue.origin)}`
        : `must be at most ${issue.maximum}${sizeUnit(issue.origin)}`;
    case "too_small":
      return issue.inclusive === false
        ? `must be above ${issue.minimum}${sizeUnit(issue.origin)}`
        : `must be at least ${issue.minimum}${sizeUnit(issue.origin)}`;
    case "invalid_type":
      // zod leaves the input out of issues; its message says what it received.
      return issue.message.endsWith("received undefined") ? "is required" : `must be a ${issue.expected}`;
    case "invalid_format":
      return `must be a valid ${issue.format}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "unrecognized_keys":
      return `has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
    default:
      return "is not valid";
  }
}

/** One issue as `field: what is wrong`, the field's own name not repeated. */
export function describeIssue(issue: Issue): string {
  const field = issue.path.map(String).join(".");
  const last = issue.path.length > 0 ? String(issue.path.at(-1)) : "";
  let text = ZOD_DEFAULT.test(issue.message) ? sentence(issue) : issue.message;
  if (last && text.startsWith(`${last} `)) text = text.slice(last.length + 1);
  return field ? `${field}: ${text}` : text;
}

/** A BAD_REQUEST's message: every issue, human-readable, in one line. */
export function describeZodError(error: ZodError): string {
  return error.issues.map(describeIssue).join("; ");
}
