import { redactSecrets } from "./redact.js";

// Errors are classified where they are thrown: a tag says what went wrong, `permanent` says
// whether trying again could help. Handlers check tags, never message text.

export type ErrorKind =
  | "ConfigError"
  | "GroupFileError"
  | "PathNotAllowedError"
  | "SourceNotFoundError"
  | "SourceNotReadableError" // there, but not a regular file or not readable (permissions)
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

/**
 * A source file that could not be opened, as an error naming it and the fix: missing, a directory
 * or other non-file, no permission (permanent: an operator must act), or an I/O hiccup (retried).
 */
export function sourceOpenError(path: string, e: unknown): DroverError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = (e as Error).message;
  if (code === "ENOENT") return new DroverError("SourceNotFoundError", `${path}: file does not exist (was it moved or deleted after launch?)`, { file: path, cause: e });
  if (code === "EACCES" || code === "EPERM") {
    return new DroverError("SourceNotReadableError", `${path}: permission denied; give the user drover runs as read access to it (and search access to its directories)`, { file: path, cause: e });
  }
  if (code === "EISDIR") return new DroverError("SourceNotReadableError", `${path} is a directory, not a file: list the files in it (${path}/*.nc)`, { file: path, cause: e });
  if (code === "ENOTREG") return new DroverError("SourceNotReadableError", `${path} is not a regular file (a pipe, socket or device): give the file itself`, { file: path, cause: e });
  if (code !== undefined && transientCodes.has(code)) return new DroverError("TransientError", `${path}: cannot read: ${why}`, { file: path, permanent: false, cause: e });
  return new DroverError("SourceNotReadableError", `${path}: cannot read: ${why}`, { file: path, cause: e });
}

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
