// Writes to a socket made in one turn of the event loop, sent in one system call. The AMQP client
// writes each frame (a publish, an acknowledgement) on its own; on a loopback connection every
// write also wakes the broker, and that, not the bytes, is what a message costs a small service.

/** Marks a stream already gathered. */
const GATHERED = Symbol("drover.gatherWrites");

export interface Corkable {
  write(...args: never[]): boolean;
  cork(): void;
  uncork(): void;
}

/**
 * Corks `stream` at its first write in a turn and uncorks it when the turn's synchronous work
 * is done (process.nextTick), so the writes of one turn leave together. Order is kept; nothing
 * waits longer than the turn it was written in. Applied once per stream.
 */
export function gatherWrites(stream: Corkable): void {
  const marked = stream as Corkable & { [GATHERED]?: true };
  if (marked[GATHERED]) return;
  marked[GATHERED] = true;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const release = () => {
    corked = false;
    stream.uncork();
  };
  (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(release);
    }
    return write(...args);
  };
}

