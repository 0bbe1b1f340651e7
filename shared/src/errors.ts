import { redactSecrets } from "./redact.js";

// Errors are classified where they are thrown: a tag says what went wrong, `permanent` says
// whether trying again could help. Handlers check tags, never message text.

export type ErrorKind =
  | "ConfigError"
  | "GroupFileError"
  | "PathNotAllowedError"
  | "SourceNotFoundError"
  | "SourceFormatError" // corrupt, truncated or not HDF5/netCDF at all
  | "ConcatFatalError" // files that cannot be concatenated (chunk shapes, units, variables)
  | "UnsupportedFeatureError"
  | "ComputeError"
  | "ValidationError"
  | "CompletionError"
  | "MessageError" // a message that fails its schema
  | "TransientError"; // I/O hiccup, broker or database away: retry

export interface ErrorDetail {
  kind: ErrorKind;
  message: string;
  permanent: boolean;
  file?: string;
  variable?: string;
}

export class DroverError extends Error {
  readonly kind: ErrorKind;
  readonly permanent: boolean;
  readonly file: string | undefined;
  readonly variable: string | undefined;
  /** Files written before the failure that explain it (an inventory, validation reports). */
  readonly reports: Record<string, string>;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { permanent?: boolean; file?: string; variable?: string; cause?: unknown; reports?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = kind;
    this.kind = kind;
    this.permanent = options.permanent ?? kind !== "TransientError";
    this.file = options.file;
    this.variable = options.variable;
    this.reports = options.reports ?? {};
  }

  toDetail(): ErrorDetail {
    const d: ErrorDetail = { kind: this.kind, message: this.message, permanent: this.permanent };
    if (this.file !== undefined) d.file = this.file;
    if (this.variable !== undefined) d.variable = this.variable;
    return d;
  }
}

export function isDroverError(e: unknown): e is DroverError {
  return e instanceof DroverError;
}

const transientCodes = new Set(["EAGAIN", "EBUSY", "EMFILE", "ENFILE", "ETIMEDOUT", "ECONNRESET", "EIO"]);

/** Any thrown value as an ErrorDetail; unknown errors are treated as transient only for known OS codes. */
export function toErrorDetail(e: unknown): ErrorDetail {
  const d = detailOf(e);
  // What goes on the bus and into documents never carries a URL's password.
  return { ...d, message: redactSecrets(d.message) };
}

function detailOf(e: unknown): ErrorDetail {
  if (isDroverError(e)) return e.toDetail();
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && transientCodes.has(code)) {
      return { kind: "TransientError", message: e.message, permanent: false };
    }
    if (code === "ENOENT") {
      return { kind: "SourceNotFoundError", message: e.message, permanent: true };
    }
    return { kind: "ComputeError", message: `${e.name}: ${e.message}`, permanent: true };
  }
  return { kind: "ComputeError", message: String(e), permanent: true };
}
