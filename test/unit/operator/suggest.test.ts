import { describe, expect, it } from "vitest";
import { closest, didYouMean, editDistance } from "../../../services/cli/src/suggest.js";

describe("editDistance (Damerau-Levenshtein, optimal string alignment)", () => {
  it.each([
    ["", "", 0],
    ["status", "status", 0],
    ["", "abc", 3],
    ["abc", "", 3],
    ["stauts", "status", 1], // two neighbours swapped
    ["statsu", "status", 1],
    ["sttus", "status", 1], // one left out
    ["statuss", "status", 1], // one too many
    ["summarize", "summarise", 1], // one replaced
    ["kitten", "sitting", 3],
    ["ca", "abc", 3], // optimal string alignment: no edit of a swapped pair
  ])("%j → %j is %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("closest", () => {
  const commands = ["launch", "status", "history", "show", "logs", "report", "summarise", "retry", "refs", "zarr"];

  it("suggests the command within two edits, closest first", () => {
    expect(closest("stauts", commands)).toEqual(["status"]);
    expect(closest("reprot", commands)).toEqual(["report"]);
    expect(closest("log", commands)).toEqual(["logs"]);
    expect(closest("ref", commands)).toEqual(["refs"]);
    expect(closest("rerty", commands)).toEqual(["retry"]);
  });

  it("suggests a name that starts with what was typed, or is its start", () => {
    expect(closest("demo", ["demo-20261130-204518", "other"])).toEqual(["demo-20261130-204518"]);
    expect(closest("tas", ["pr_day_x", "tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn"])).toEqual(["tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn"]);
    expect(closest("statuses", commands)).toEqual(["status"]);
  });

  it("ignores case and suggests nothing for a name far from every candidate", () => {
    expect(closest("STATUS", commands)).toEqual(["status"]);
    expect(closest("xyzzy", commands)).toEqual([]);
    expect(closest("ab", ["abcdef"])).toEqual([]);
  });

  it("gives at most `limit` names", () => {
    expect(closest("aaa", ["aab", "aba", "baa", "aaaa"], { limit: 2 })).toHaveLength(2);
  });

  it("words the hint, or says nothing", () => {
    expect(didYouMean("bda", ["bad", "good"])).toBe("; did you mean bad?");
    expect(didYouMean("nothing-like", ["bad", "good"])).toBe("");
  });
});
