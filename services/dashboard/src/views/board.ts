import { listGroups, projectPages, projectsInState, projectStates, type DocStore, type ProjectState } from "@drover/shared";
import { toCard, type Card } from "./card.js";

// The lifecycle board: a column per state with its count and the first page of its cards,
// aggregated here (counts from the database's view, cards a page at a time): a group of 10,000
// projects sends the browser a few dozen cards, never every project.

export interface BoardQuery {
  group?: string | undefined;
  state?: ProjectState | undefined;
  text?: string | undefined;
  limit: number;
  offset: number;
}

export interface Column {
  state: ProjectState;
  count: number;
  cards: Card[];
}

export interface Board {
  groups: string[];
  columns: Column[];
}

async function groupsOf(store: DocStore, group: string | undefined): Promise<string[]> {
  if (group !== undefined) return [group];
  return (await listGroups(store)).map((g) => g.name);
}

/** Without a text filter: counts by the view, cards by the view's keys, group after group. */
async function byView(store: DocStore, groups: string[], states: readonly ProjectState[], q: BoardQuery): Promise<Column[]> {
  const counts = await Promise.all(groups.map((g) => store.countStates(g)));
  const columns: Column[] = [];
  for (const state of states) {
    const column: Column = { state, count: counts.reduce((s, c) => s + c[state], 0), cards: [] };
    let skip = q.offset;
    for (const [i, group] of groups.entries()) {
      const here = counts[i]?.[state] ?? 0;
      if (column.cards.length >= q.limit) break;
      if (skip >= here) {
        skip -= here;
        continue;
      }
      const page = await projectsInState(store, group, state, { skip, limit: q.limit - column.cards.length });
      column.cards.push(...page.map((p) => toCard(p)));
      skip = 0;
    }
    columns.push(column);
  }
  return columns;
}

/** With a text filter: the groups' projects read a page at a time, matched on group/project. */
async function byText(store: DocStore, groups: string[], states: readonly ProjectState[], q: BoardQuery): Promise<Column[]> {
  const needle = (q.text ?? "").toLowerCase();
  const columns = new Map<ProjectState, Column>(states.map((s) => [s, { state: s, count: 0, cards: [] }]));
  for (const group of groups) {
    for await (const page of projectPages(store, group)) {
      for (const p of page) {
        const column = columns.get(p.state);
        if (!column || !`${p.group}/${p.code}`.toLowerCase().includes(needle)) continue;
        if (column.count >= q.offset && column.cards.length < q.limit) column.cards.push(toCard(p));
        column.count++;
      }
    }
  }
  return [...columns.values()];
}

export async function board(store: DocStore, q: BoardQuery): Promise<Board> {
  const groups = await groupsOf(store, q.group);
  const states = q.state ? [q.state] : projectStates;
  const columns = q.text ? await byText(store, groups, states, q) : await byView(store, groups, states, q);
  return { groups, columns };
}
