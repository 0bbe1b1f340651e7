import type { Bus, Message } from "@drover/shared";

// The bus's state changes, gathered for the pages: every project.state.changed and
// group.state.changed within one window becomes one batch (a group of 10,000 projects moving at
// once sends a few batches a second, not 10,000 events), handed to `emit`.

export interface Move {
  group: string;
  project: string;
  from: string;
  to: string;
}

export interface ChangeBatch {
  /** Groups with any change in the window. */
  groups: string[];
  /** The project moves of the window, the first `maxMoves` of them. */
  moves: Move[];
  /** Every project move of the window, counted. */
  count: number;
  at: string;
}

export interface LiveChanges {
  /** Time of the last change seen per group (the overview's "newest activity"). */
  lastActivity: Map<string, string>;
  stop(): void;
}

export async function watchChanges(bus: Bus, emit: (b: ChangeBatch) => void, windowMs = 250, maxMoves = 200): Promise<LiveChanges> {
  let groups = new Set<string>();
  let moves: Move[] = [];
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  const lastActivity = new Map<string, string>();
  const flush = () => {
    timer = undefined;
    const batch: ChangeBatch = { groups: [...groups], moves, count, at: new Date().toISOString() };
    groups = new Set();
    moves = [];
    count = 0;
    emit(batch);
  };
  const seen = (group: string) => {
    groups.add(group);
    lastActivity.set(group, new Date().toISOString());
    timer ??= setTimeout(flush, windowMs);
  };
  await bus.watch("project.state.changed", (m: Message) => {
    const msg = m as Message<"project.state.changed">;
    count++;
    if (moves.length < maxMoves) moves.push({ group: msg.group, project: msg.project ?? "", from: msg.body.from, to: msg.body.to });
    seen(msg.group);
  });
  await bus.watch("group.state.changed", (m: Message) => seen(m.group));
  return {
    lastActivity,
    stop() {
      if (timer) clearTimeout(timer);
    },
  };
}
