import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parsePythonJson } from "../../../shared/src/json/python-json-parse.js";
import { JsonFloat, pythonJson, quote } from "../../../shared/src/json/python-json.js";
import { PYTHON, pythonHasXarray } from "../../helpers/python.js";

// drover writes every metadata document for Python's zarr 2, which reads it with Python's json
// module after decoding it as ASCII. The truth here is Python's own json module.

function python<T>(script: string, input: unknown): T {
  const r = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(input), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The exact bits of a double, for Python to rebuild the same float without any text in between. */
const bits = (x: number) => Buffer.from(new Float64Array([x]).buffer).toString("hex");

const havePython = pythonHasXarray();

describe.skipIf(!havePython)("JSON as Python's json module reads and writes it", () => {
  it("escapes strings exactly as json.dumps does (ASCII only)", () => {
    const strings = ["plain", "µg/m3", "°C", 'say "x"', "back\\slash", "tab\tnew\nline\r", "\u0000\u0001\u001f", "\u007f", "é€", "😀", "\ud800", "\u2028", "/"];
    const expected = python<string[]>("import json,sys; print(json.dumps([json.dumps(s) for s in json.load(sys.stdin)]))", strings);
    expect(strings.map(quote)).toEqual(expected);
    for (const s of strings) expect(quote(s)).toMatch(/^[\x20-\x7e]*$/);
  });

  it("writes numbers Python reads back with the same value and kind", () => {
    const cases: Array<[unknown, "int" | "float", number]> = [
      [new JsonFloat(0), "float", 0],
      [new JsonFloat(-0), "float", -0],
      [0, "int", 0],
      [3, "int", 3],
      [-7, "int", -7],
      [new JsonFloat(3), "float", 3],
      [new JsonFloat(1e20), "float", 1e20],
      [new JsonFloat(Math.fround(1e20)), "float", Math.fround(1e20)],
      [new JsonFloat(Math.fround(0.1)), "float", Math.fround(0.1)],
      [new JsonFloat(5e-324), "float", 5e-324],
      [new JsonFloat(-1.5e300), "float", -1.5e300],
      [0.25, "float", 0.25],
      [Number.NaN, "float", Number.NaN],
      [new JsonFloat(Number.NaN), "float", Number.NaN],
      [Number.POSITIVE_INFINITY, "float", Number.POSITIVE_INFINITY],
      [new JsonFloat(Number.NEGATIVE_INFINITY), "float", Number.NEGATIVE_INFINITY],
    ];
    const got = python<Array<{ type: string; bits: string | null; ascii: boolean }>>(
      `import json, struct, sys
out = []
for text in json.load(sys.stdin):
    v = json.loads(text.encode("ascii").decode("ascii"))
    out.append({"type": type(v).__name__, "bits": struct.pack("<d", float(v)).hex(), "ascii": text.isascii()})
print(json.dumps(out))`,
      cases.map(([v]) => pythonJson(v)),
    );
    cases.forEach(([, type, value], i) => {
      const g = got[i];
      expect(g?.type, pythonJson(cases[i]?.[0])).toBe(type);
      // NaN: Python's float("nan") has one bit pattern; any NaN is the right value.
      if (Number.isNaN(value)) expect(Number.isNaN(new Float64Array(new Uint8Array(Buffer.from(g?.bits ?? "", "hex")).buffer)[0])).toBe(true);
      else expect(g?.bits, pythonJson(cases[i]?.[0])).toBe(bits(value));
    });
  });

  it("writes nested documents, indented or not, that Python reads as the same value", () => {
    const value = { a: [1, new JsonFloat(2), "µ", null, true, false, []], b: { c: {}, "d°": Number.NaN }, e: [[new JsonFloat(-0)]] };
    const expected = "{'a': [1, 2.0, 'µ', None, True, False, []], 'b': {'c': {}, 'd°': nan}, 'e': [[-0.0]]}";
    const reprs = python<string[]>("import json,sys; print(json.dumps([repr(json.loads(t.encode('ascii'))) for t in json.load(sys.stdin)]))", [pythonJson(value), pythonJson(value, 2)]);
    expect(reprs).toEqual([expected, expected]);
  });

  it("reads exactly what Python's json.loads reads, and refuses what it refuses", () => {
    const texts = [
      "NaN",
      "-Infinity",
      "Infinity",
      "[NaN, -Infinity, 1.0, 1, 1e5, -0, -0.0, 1E+2, 2.5e-3]",
      '{"a": {"b": [true, false, null]}}',
      ' {"x": "\\u00b5\\u00B0"} \n',
      '"\\ud83d\\ude00"',
      '"\\"\\\\\\/\\b\\f\\n\\r\\t"',
      '{"__proto__": 1, "constructor": 2}',
      '{"a": 1, "a": 2}',
      '"\u007f"',
      "12345678901234567890",
      "nan",
      "inf",
      "-NaN",
      "+1",
      "Infinityx",
      "[1,]",
      '{"a":1,}',
      '"\u0001"',
      "'a'",
      "01",
      "1.",
      ".5",
      "-",
      '"\\x"',
      "{} x",
      "",
      "   ",
      "[",
      '{"a" 1}',
      "tru",
      '"abc',
      '"\\u12"',
      "1e",
      "[1 2]",
      "\u00a0 1",
      "[1]\u000b",
    ];
    const py = python<Array<{ ok: boolean; repr?: string }>>(
      `import json, sys
out = []
for t in json.load(sys.stdin):
    try:
        out.append({"ok": True, "repr": repr(json.loads(t))})
    except ValueError:
        out.append({"ok": False})
print(json.dumps(out))`,
      texts,
    );
    const rewritten: string[] = [];
    texts.forEach((t, i) => {
      let ours: string | undefined;
      try {
        ours = pythonJson(parsePythonJson(t));
      } catch {
        ours = undefined;
      }
      expect(ours !== undefined, `${JSON.stringify(t)} accepted`).toBe(py[i]?.ok);
      if (ours !== undefined) rewritten.push(ours);
    });
    // What drover parsed, written back, reads in Python as what Python parsed from the original.
    const again = python<string[]>("import json,sys; print(json.dumps([repr(json.loads(t.encode('ascii'))) for t in json.load(sys.stdin)]))", rewritten);
    expect(again).toEqual(py.filter((p) => p.ok).map((p) => p.repr));
  });
});
