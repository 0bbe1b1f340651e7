import type { Writable } from "node:stream";

// The command line's output streams: everything written reaches a pipe before the process
// exits, and a reader that goes away (`drover status | head -1`) ends the command quietly.

/** Resolves once everything written to the stream so far has been handed to the OS. */
export function flushed(stream: Writable): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => stream.write("", () => resolve()));
}

/** A closed pipe on stdout or stderr ends the process with `code`, without a stack trace. */
export function quietOnClosedPipe(code = 0): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(code);
      throw e;
    });
  }
}
