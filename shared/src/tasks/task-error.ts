import { DroverError, type ErrorDetail } from "../errors.js";

export interface TaskProgress {
  done: number;
  total: number;
  unit: string;
  detail?: string;
}

/** A failed task: its error detail and any reports it wrote before failing. */
export class TaskError extends DroverError {
  constructor(
    readonly detail: ErrorDetail,
    reports: Record<string, string>,
  ) {
    super(detail.kind as ErrorDetail["kind"], detail.message, {
      reports,
      permanent: detail.permanent,
      ...(detail.file ? { file: detail.file } : {}),
      ...(detail.variable ? { variable: detail.variable } : {}),
    });
  }
}
