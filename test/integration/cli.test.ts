import { spawn } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, openSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newGroup, newProject, openCouchStore, readGroup, readProject, validateProduct, writeDemoGroup, writeFileAtomic, writeSeries, type DocStore } from "@drover/shared";
import { serviceEntry, startService, ROOT, type Running } from "../helpers/processes.js";
import { tinySeries } from "../helpers/series.js";
import { AMQP_URL, COUCHDB_URL, eventually, isolate, servicesAvailable, watchGroups, type GroupWatch } from "../helpers/services.js";
import { within } from "../helpers/wait.js";
import { pythonHasXarray, xarrayCompareAsync } from "../helpers/python.js";
import { compoundCdl, ncgen, ncgenAvailable, seq } from "../helpers/ncgen.js";
import { pythonHas, runPython } from "../unit/groups/truth.js";

// The command line as a newcomer meets it: help for every command, output through pipes, a
// missing group, a relaunched group, and operator requests that the state-tracker refuses.

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The command was still running after `ms` and was killed. */
  hung: boolean;
}

/** Runs `body` with a new temporary directory, removed afterwards whatever happens. */
async function inTempDir(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A metadata document of a product, as its text: from a Kerchunk JSON file's references or a Zarr store's file ("" when absent). */
function productDocument(out: string, key: string): string {
  if (!out.endsWith(".json")) return existsSync(join(out, key)) ? readFileSync(join(out, key), "utf8") : "";
  return (JSON.parse(readFileSync(out, "utf8")) as { refs: Record<string, string> }).refs[key] ?? "";
}

/** Runs `drover …` (or a shell line with $DROVER standing for it), killing it if it hangs. */
function run(args: string[] | string, env: Record<string, string> = {}, ms = 60_000): Promise<Ran> {
  const drover = `${JSON.stringify(process.execPath)} ${JSON.stringify(serviceEntry("cli"))}`;
  const proc =
    typeof args === "string"
      ? spawn("bash", ["-o", "pipefail", "-c", args.replaceAll("$DROVER", drover)], { cwd: ROOT, env: { ...process.env, ...env } })
      : spawn(process.execPath, [serviceEntry("cli"), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  let hung = false;
  proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => {
    hung = true;
    proc.kill("SIGKILL");
  }, ms);
  return new Promise((resolve) =>
    proc.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung });
    }),
  );
}

// Every command and every option it takes, written out here rather than read from the code.
const commands: Record<string, string[]> = {
  launch: ["--group", "--concat-dim", "--format", "--replace", "--wait", "--timeout"],
  status: ["--watch", "--json"],
  history: [],
  show: ["--json"],
  logs: ["--phase"],
  report: [],
  summarise: ["--json"],
  accept: ["--note", "--timeout"],
  retry: ["--phase", "--timeout"],
  faultlist: ["--reason", "--timeout"],
  refs: ["--output", "--concat-dim", "--identical-dims", "--keep-vars", "--inline-threshold", "--remote", "--work", "--quiet", "--no-validate", "--allow-missing", "--source-threads"],
  zarr: ["--output", "--concat-dim", "--identical-dims", "--keep-vars", "--work", "--quiet", "--no-validate", "--allow-missing", "--source-threads"],
  sample: [],
  bench: ["--dir", "--out", "--rounds", "--pipeline", "--no-pipeline", "--copies", "--kerchunk"],
  lifecycle: [],
  selectors: [],
};

describe("drover --help", () => {
  it("lists every command with every option it takes", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const [name, options] of Object.entries(commands)) {
      const line = r.stdout.split("\n").find((l) => l.trim().startsWith(`drover ${name}`));
      expect(line, `drover ${name} in the help`).toBeDefined();
      for (const o of options) expect(line, `drover ${name} ${o}`).toContain(o);
    }
  });

  it.each(Object.keys(commands))("drover %s --help prints its usage and an example, and does nothing else", async (name) => {
    const cwd = mkdtempSync(join(tmpdir(), "drover-help-"));
    try {
      const r = await run(`cd ${cwd} && $DROVER ${name} --help`);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: drover ${name}`));
      expect(r.stdout).toMatch(/\nexamples?:\n {2}\S/);
      for (const o of commands[name] ?? []) expect(r.stdout).toContain(o);
      // `drover sample --help` once wrote the sample into a folder called --help.
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("suggests the command meant by a mistyped one", async () => {
    const r = await run(["stauts"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("drover: unknown command stauts; did you mean status?");
    const far = await run(["frobnicate"]);
    expect(far.stderr).toContain("drover: unknown command frobnicate\n");
  });

  it("is installed as a bin of the workspace: node_modules/.bin/drover runs it", async () => {
    const bin = join(ROOT, "node_modules", ".bin", "drover");
    expect(existsSync(bin), `${bin} (npm install links it)`).toBe(true);
    const r = await run(`${JSON.stringify(bin)} lifecycle`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("stateDiagram-v2");
  });

  it("names a mistyped option and points at --help", async () => {
    const r = await run(["status", "--jsn"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--jsn");
    expect(r.stderr).toContain("drover status --help");
  });
});

const hasXarray = pythonHasXarray();
const hasNcgen = ncgenAvailable();

describe("drover refs --no-validate", () => {
  it("writes the same references as a validated run, says they are not validated, and writes no report", async () => {
    await inTempDir("drover-novalidate-", async (dir) => {
      await writeSeries(join(dir, "data"), "nv", tinySeries({ steps: [3, 3, 3], value: (lat, lon, t) => 280 + lat / 10 + lon / 100 + t }), 5);
      const glob = join(dir, "data", "*.nc");
      const checked = await run(["refs", glob, "-o", join(dir, "checked.json")]);
      expect(checked.code, checked.stderr).toBe(0);
      const fast = await run(["refs", glob, "-o", join(dir, "fast.json"), "--no-validate"]);
      expect(fast.code, fast.stderr).toBe(0);
      expect(fast.stderr).toContain("NOT validated");
      expect(readFileSync(join(dir, "fast.json"), "utf8")).toBe(readFileSync(join(dir, "checked.json"), "utf8"));
      expect(existsSync(join(dir, "checked.json.report.json"))).toBe(true);
      expect(existsSync(join(dir, "fast.json.report.json"))).toBe(false);
    });
  });

  it("validates the same in the main thread and in threads of their own (--source-threads)", async () => {
    await inTempDir("drover-threads-", async (dir) => {
      await writeSeries(join(dir, "data"), "th", tinySeries({ steps: [2, 3, 2, 1], value: (lat, lon, t) => 250 + lat / 7 - lon / 50 + t }), 23);
      const glob = join(dir, "data", "*.nc");
      const runs: Record<string, string[]> = { main: ["--source-threads", "0"], threads: ["--source-threads", "3"] };
      for (const [name, option] of Object.entries(runs)) {
        const r = await run(["refs", glob, "-o", join(dir, `${name}.json`), ...option]);
        expect(r.code, `${name}: ${r.stderr}`).toBe(0);
        expect(r.stderr).toContain("validation: Success");
      }
      expect(readFileSync(join(dir, "threads.json"), "utf8")).toBe(readFileSync(join(dir, "main.json"), "utf8"));
      const report = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json.report.json`), "utf8")) as unknown;
      expect(report("threads")).toEqual(report("main"));
    });
  });
});

describe("drover refs on files under a directory named with a space and a non-ASCII letter", () => {
  it.skipIf(!hasXarray)("names each file as fsspec reads it, and the product opens in xarray equal to its sources", async () => {
    await inTempDir("drover-spaced-", async (dir) => {
      const files = await writeSeries(join(dir, "run 1 \u00e9"), "sp", tinySeries({ steps: [2, 2] }), 7);
      const out = join(dir, "out.json");
      const r = await run(["refs", ...files, "-o", out, "--inline-threshold", "0"]);
      expect(r.code, r.stderr).toBe(0);
      const refs = (JSON.parse(readFileSync(out, "utf8")) as { refs: Record<string, unknown> }).refs;
      const urls = new Set(Object.values(refs).flatMap((ref) => (Array.isArray(ref) ? [ref[0] as string] : [])));
      // fsspec's local filesystem takes the text after "file://" as the path, undecoded.
      expect([...urls].sort()).toEqual(files.map((f) => `file://${f}`).sort());
      const compared = await xarrayCompareAsync(out, "time", files);
      expect(compared.problems).toEqual([]);
      expect(compared.variables).toBeGreaterThan(0);
    });
  });
});

describe("drover refs and zarr on a file with a damaged compressed chunk", () => {
  it("fails naming the file and the variable, writes nothing, and prints no HDF5-DIAG flood", async () => {
    await inTempDir("drover-damaged-", async (dir) => {
      const files = await writeSeries(join(dir, "data"), "dm", tinySeries({ steps: [3, 3], nlat: 20, nlon: 40, chunks: [1, 20, 40] }), 11);
      const map = join(dir, "map.json");
      const mapped = await run(["refs", ...files, "-o", map, "--no-validate", "--inline-threshold", "0"]);
      expect(mapped.code, mapped.stderr).toBe(0);
      // The middle of the second file's second tas chunk (a zlib stream) overwritten with a ramp.
      const damaged = files[1] ?? "";
      const refs = (JSON.parse(readFileSync(map, "utf8")) as { refs: Record<string, unknown> }).refs;
      const [, offset, length] = refs["tas/4.0.0"] as [string, number, number];
      expect(length).toBeGreaterThan(300);
      const fd = openSync(damaged, "r+");
      writeSync(fd, Uint8Array.from({ length: 200 }, (_, i) => i), 0, 200, offset + 100);
      closeSync(fd);
      // Validated with the sources read in the main thread (the default on 2 cores) and in a thread of their own.
      for (const [command, out, threads] of [["refs", join(dir, "out.json"), "0"], ["zarr", join(dir, "out.zarr"), "0"], ["refs", join(dir, "out.json"), "1"]] as const) {
        const r = await run([command, ...files, "-o", out, "--source-threads", threads]);
        expect(r.code, `${command}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(damaged);
        expect(r.stderr).toMatch(/variable \/?tas\b/);
        expect(r.stderr).toContain("re-copy it from the archive");
        expect(r.stderr).not.toContain("HDF5-DIAG");
        expect(existsSync(out)).toBe(false);
      }
    });
  });
});

describe("drover zarr and refs -o over something that exists", () => {
  it("refuse a directory holding their sources or other files, before any work, and replace an earlier product", async () => {
    await inTempDir("drover-overwrite-", async (dir) => {
      const files = await writeSeries(join(dir, "data"), "ow", tinySeries({ steps: [2, 2] }), 13);
      const sizes = files.map((f) => statSync(f).size);
      for (const [command, out] of [["zarr", join(dir, "data")], ["refs", join(dir, "data")], ["zarr", dir]] as const) {
        const target = command === "refs" ? join(out, "..", "data.parq") : out;
        if (command === "refs") mkdirSync(join(target, "data"), { recursive: true });
        if (command === "refs") copyFileSync(files[0] ?? "", join(target, "data", "copy.nc"));
        const r = await run([command, ...(command === "refs" ? [...files, join(target, "data", "copy.nc")] : files), "-o", target]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(`-o ${target}`);
        expect(r.stderr).toContain("choose another -o");
        expect(r.stderr).not.toContain("scanned");
      }
      expect(files.map((f) => statSync(f).size)).toEqual(sizes);
      expect(existsSync(join(dir, "data.parq", "data", "copy.nc"))).toBe(true);
      // A directory of someone else's files is not a Zarr store to replace.
      const other = join(dir, "other");
      mkdirSync(other);
      writeFileSync(join(other, "notes.txt"), "keep me");
      const foreign = await run(["zarr", ...files, "-o", other]);
      expect(foreign.code, foreign.stderr).toBe(2);
      expect(foreign.stderr).toContain("notes.txt");
      expect(readFileSync(join(other, "notes.txt"), "utf8")).toBe("keep me");
      // An earlier Zarr product is replaced.
      const store = join(dir, "out.zarr");
      for (let i = 0; i < 2; i++) {
        const r = await run(["zarr", ...files, "-o", store, "--no-validate"]);
        expect(r.code, r.stderr).toBe(0);
      }
      expect(existsSync(join(store, ".zgroup"))).toBe(true);
    });
  });
});

describe.skipIf(!hasXarray || !hasNcgen)("drover refs and zarr on files that encode time in different units", () => {
  // Two days' files and one of hours, the hours' file listed first; xarray decodes each file's
  // own units, so the product must hold the same instants whatever the listing order.
  const cdl = (name: string, type: string, units: string, times: number[], extra = "") => `netcdf ${name} {
dimensions: time = UNLIMITED ; lat = 2 ;
variables:
  ${type} time(time) ; time:units = "${units}" ; time:calendar = "standard" ;
  ${extra ? `double forecast_reference_time(time) ; forecast_reference_time:units = "${extra}" ;` : ""}
  float lat(lat) ;
  float tas(time, lat) ;
data:
  time = ${times.join(", ")} ;
  ${extra ? `forecast_reference_time = ${times.join(", ")} ;` : ""}
  lat = 1, 2 ;
  tas = ${seq(times.length * 2, times[0] ?? 0)} ;
}
`;

  it("writes the instants of every file in the earliest file's units, validated or not, for integer times too", async () => {
    await inTempDir("drover-units-", async (dir) => {
      const days = ncgen(join(dir, "a.nc"), cdl("a", "int", "days since 2000-01-01", [0, 1, 2]));
      const hours = ncgen(join(dir, "b.nc"), cdl("b", "int", "hours since 2000-01-01", [72, 96]));
      for (const [command, out] of [["refs", join(dir, "out.json")], ["zarr", join(dir, "out.zarr")]] as const) {
        for (const flags of [[], ["--no-validate"]]) {
          const r = await run([command, hours, days, "-o", out, ...flags]);
          expect(r.code, `${command} ${flags.join(" ")}: ${r.stderr}`).toBe(0);
          const compared = await xarrayCompareAsync(out, "time", [days, hours]);
          expect(compared.problems, `${command} ${flags.join(" ")}`).toEqual([]);
        }
      }
    });
  });

  it("joins files whose calendars are one calendar under CF's two names, and refuses different calendars", async () => {
    await inTempDir("drover-calendars-", async (dir) => {
      const gregorian = ncgen(join(dir, "a.nc"), cdl("a", "double", "days since 2000-01-01", [0, 1]).replace('"standard"', '"gregorian"'));
      const standard = ncgen(join(dir, "b.nc"), cdl("b", "double", "days since 2000-01-01", [2, 3]));
      const noleap = ncgen(join(dir, "c.nc"), cdl("c", "double", "days since 2000-01-01", [4, 5]).replace('"standard"', '"noleap"'));
      for (const [command, out] of [["refs", join(dir, "out.json")], ["zarr", join(dir, "out.zarr")]] as const) {
        const r = await run([command, gregorian, standard, "-o", out]);
        expect(r.code, `${command}: ${r.stderr}`).toBe(0);
        expect((await xarrayCompareAsync(out, "time", [gregorian, standard])).problems).toEqual([]);
        const refused = await run([command, standard, noleap, "-o", join(dir, `no-${basename(out)}`), "--no-validate"]);
        expect(refused.code, `${command}: ${refused.stderr}`).toBe(1);
        expect(refused.stderr).toContain('calendar="noleap"');
      }
    });
  });

  it("refuses integer times that would become fractional, and another time variable in other units, naming them", async () => {
    await inTempDir("drover-units-", async (dir) => {
      const days = ncgen(join(dir, "a.nc"), cdl("a", "int", "days since 2000-01-01", [0, 1, 2]));
      const odd = ncgen(join(dir, "b.nc"), cdl("b", "int", "hours since 2000-01-01", [78, 102]));
      for (const [command, out] of [["refs", join(dir, "out.json")], ["zarr", join(dir, "out.zarr")]] as const) {
        const r = await run([command, days, odd, "-o", out, "--no-validate"]);
        expect(r.code, `${command}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(odd);
        expect(r.stderr).toMatch(/fractional|not a whole number/);
        expect(existsSync(out)).toBe(false);
      }
      const c = ncgen(join(dir, "c.nc"), cdl("c", "double", "days since 2000-01-01", [0, 1], "days since 2000-01-01"));
      const d = ncgen(join(dir, "d.nc"), cdl("d", "double", "days since 2000-01-01", [2, 3], "hours since 2000-01-01"));
      for (const [command, out] of [["refs", join(dir, "frt.json")], ["zarr", join(dir, "frt.zarr")]] as const) {
        const r = await run([command, c, d, "-o", out, "--no-validate"]);
        expect(r.code, `${command}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain("forecast_reference_time has units");
        expect(existsSync(out)).toBe(false);
      }
    });
  });
});

describe.skipIf(!hasNcgen)("drover zarr and refs on more netCDF-3 files than the process may keep open", () => {
  // Each netCDF-3 source read by drover's own reader holds a file descriptor. The Zarr copy kept
  // one per source to its end and failed with EMFILE past the limit (1,024 is common; 128 here).
  it("copies and validates 200 files under a limit of 128 descriptors", async () => {
    await inTempDir("drover-nc3-limit-", async (dir) => {
      const files = Array.from({ length: 200 }, (_, i) =>
        ncgen(join(dir, `f${String(i).padStart(3, "0")}.nc`), `netcdf f { dimensions: time = UNLIMITED ; x = 3 ; variables: double time(time) ; time:units = "days since 2000-01-01" ; float tas(time, x) ; data: time = ${i} ; tas = ${seq(3, i)} ; }`, "nc3"),
      );
      const list = files.map((f) => JSON.stringify(f)).join(" ");
      for (const out of [join(dir, "out.zarr"), join(dir, "out.json")]) {
        const r = await run(`ulimit -n 128 && $DROVER ${out.endsWith(".zarr") ? "zarr" : "refs"} ${list} -o ${JSON.stringify(out)}`, {}, 120_000);
        expect(r.stderr).not.toContain("EMFILE");
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout + r.stderr).toContain("validation: Success (800 values from 200 files compared");
        if (hasXarray) expect((await xarrayCompareAsync(out, "time", files)).problems).toEqual([]);
      }
    });
  });
});

describe.skipIf(!hasNcgen)("drover refs and zarr on files with a compound variable and --keep-vars", () => {

  it("refuses only for the variable it cannot carry, says why even with --quiet, and takes --keep-vars as meant", async () => {
    await inTempDir("drover-keep-", async (dir) => {
      const files = [ncgen(join(dir, "k1.nc"), compoundCdl("k1", 0, true)), ncgen(join(dir, "k2.nc"), compoundCdl("k2", 2, true))];
      const refused = await run(["refs", ...files, "-o", join(dir, "all.json"), "--quiet"]);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toContain("leaves out p");
      expect(refused.stderr).toContain("--allow-missing");
      expect(existsSync(join(dir, "all.json"))).toBe(false);
      for (const out of [join(dir, "tas.json"), join(dir, "tas.zarr")]) {
        const r = await run([out.endsWith(".json") ? "refs" : "zarr", ...files, "-o", out, "--keep-vars", "tas"]);
        expect(r.code, r.stderr).toBe(0);
        const report = JSON.parse(readFileSync(`${out}.report.json`, "utf8")) as { metadata: { skipped: Record<string, string>; data_vars: Record<string, unknown> } };
        expect(Object.keys(report.metadata.skipped).sort()).toEqual(["p", "pr"]);
        expect(report.metadata.data_vars).toEqual({});
      }
      const allowed = await run(["refs", ...files, "-o", join(dir, "some.json"), "--allow-missing"]);
      expect(allowed.code, allowed.stderr).toBe(0);
      const keys = Object.keys((JSON.parse(readFileSync(join(dir, "some.json"), "utf8")) as { refs: Record<string, unknown> }).refs);
      expect(keys).toContain("pr/.zarray");
      expect(keys.some((k) => k.startsWith("p/"))).toBe(false);
    });
  });
});

describe.skipIf(!hasNcgen)("drover refs and zarr on 64-bit integers beyond 2^53", () => {
  const cdl = (name: string, t0: number) => `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  x = 3 ;
variables:
  double time(time) ; time:units = "days since 2000-01-01" ;
  int64 count(time, x) ;
    count:_FillValue = -9223372036854775806LL ;
    count:big = 9007199254740993LL ;
    count:ubig = 18446744073709551615ULL ;
  :gbig = 9223372036854775807LL ;
data:
  time = ${t0}, ${t0 + 1} ;
  count = 1, 2, _, 9007199254740993, 5, 6 ;
}
`;

  it("writes the fill value and the attributes exactly, and xarray opens the product", async () => {
    await inTempDir("drover-int64-", async (dir) => {
      const files = [ncgen(join(dir, "a.nc"), cdl("a", 0)), ncgen(join(dir, "b.nc"), cdl("b", 2))];
      for (const out of [join(dir, "out.json"), join(dir, "out.zarr")]) {
        const r = await run([out.endsWith(".json") ? "refs" : "zarr", ...files, "-o", out]);
        expect(r.code, r.stderr).toBe(0);
        // The documents' text, as written: numbers beyond 2^53 would be rounded by JSON.parse.
        const text = ["count/.zarray", "count/.zattrs", ".zattrs"].map((k) => productDocument(out, k)).join("\n");
        expect(text).toMatch(/"fill_value":\s*-9223372036854775806\b/);
        expect(text).toMatch(/"big":\s*9007199254740993\b/);
        expect(text).toMatch(/"ubig":\s*18446744073709551615\b/);
        expect(text).toMatch(/"gbig":\s*9223372036854775807\b/);
        if (hasXarray) expect((await xarrayCompareAsync(out, "time", files)).problems).toEqual([]);
      }
    });
  });
});

describe.skipIf(!hasNcgen)("drover refs and zarr on files whose unlimited dimension has no coordinate variable", () => {
  const cdl = (name: string, start: number) => `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  lat = 2 ;
variables:
  float lat(lat) ;
  float tas(time, lat) ;
data:
  lat = 1, 2 ;
  tas = ${seq(6, start)} ;
}
`;

  it("takes the dimension's length from its variables, joins the files in the order given and says so", async () => {
    await inTempDir("drover-nocoord-", async (dir) => {
      const files = [ncgen(join(dir, "b.nc"), cdl("b", 100)), ncgen(join(dir, "a.nc"), cdl("a", 0))];
      for (const out of [join(dir, "out.json"), join(dir, "out.zarr")]) {
        for (const flags of [["--no-validate"], []]) {
          const r = await run([out.endsWith(".json") ? "refs" : "zarr", ...files, "-o", out, ...flags]);
          expect(r.code, r.stderr).toBe(0);
          expect(r.stderr).toMatch(/no time coordinate variable.*order given/);
          const zarray = JSON.parse(productDocument(out, "tas/.zarray")) as { shape: number[] };
          expect(zarray.shape, `${out} ${flags.join(" ")}`).toEqual([6, 2]);
          if (hasXarray) expect((await xarrayCompareAsync(out, "time", files)).problems).toEqual([]);
        }
      }
    });
  });
});

describe.skipIf(!hasNcgen)("drover refs and zarr on files listed out of time order whose attributes differ", () => {
  const cdl = (name: string, t0: number) => `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  lat = 2 ;
variables:
  double time(time) ; time:units = "days since 2000-01-01" ; time:comment = "time ${name}" ;
  float lat(lat) ; lat:comment = "lat ${name}" ;
  float tas(time, lat) ; tas:comment = "tas ${name}" ;
  :title = "${name}" ;
data:
  time = ${t0}, ${t0 + 1} ;
  lat = 1, 2 ;
  tas = ${seq(4, t0)} ;
}
`;

  it("label the product with the earliest file's attributes, globals and variables alike, whatever the order given", async () => {
    await inTempDir("drover-attrs-", async (dir) => {
      const early = ncgen(join(dir, "early.nc"), cdl("early", 0));
      const late = ncgen(join(dir, "late.nc"), cdl("late", 10));
      for (const out of [join(dir, "out.json"), join(dir, "out.zarr")]) {
        const r = await run([out.endsWith(".json") ? "refs" : "zarr", late, early, "-o", out]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain("validation: Success");
        const doc = (key: string) => JSON.parse(productDocument(out, key)) as Record<string, unknown>;
        expect([doc(".zattrs")["title"], doc("time/.zattrs")["comment"], doc("lat/.zattrs")["comment"], doc("tas/.zattrs")["comment"]], out).toEqual(["early", "time early", "lat early", "tas early"]);
        if (hasXarray) expect((await xarrayCompareAsync(out, "time", [early, late])).problems).toEqual([]);
      }
    });
  });
});

describe.skipIf(!hasNcgen || !pythonHas("h5py", "numpy"))("drover refs on files whose chunks carry HDF5's fletcher32 checksum", () => {
  /** h5py applies fletcher32 last (after shuffle and deflate): the checksum is each stored chunk's last 4 bytes. */
  const h5pyFile = (path: string, t0: number): string => {
    runPython(
      `
import sys, json, h5py, numpy as np
t0 = int(sys.argv[2])
with h5py.File(sys.argv[1], "w") as f:
    t = f.create_dataset("time", data=np.arange(t0, t0 + 4, dtype="f8"), maxshape=(None,), chunks=(4,))
    t.make_scale("time")
    t.attrs["units"] = "days since 2000-01-01"
    x = f.create_dataset("x", data=np.arange(3, dtype="f4"))
    x.make_scale("x")
    d = f.create_dataset("tas", data=np.arange(12, dtype="f4").reshape(4, 3) + t0, chunks=(1, 3), maxshape=(None, 3), compression="gzip", shuffle=True, fletcher32=True)
    d.dims[0].attach_scale(t)
    d.dims[1].attach_scale(x)
print(json.dumps(True))
`,
      [path, String(t0)],
    );
    return path;
  };
  /** netCDF-C applies fletcher32 first: the checksum is inside the compressed bytes. */
  const cdl = `netcdf c {
dimensions:
  time = UNLIMITED ;
  lat = 3 ;
variables:
  double time(time) ; time:units = "days since 2000-01-01" ;
  float tas(time, lat) ; tas:_Fletcher32 = "true" ; tas:_DeflateLevel = 2 ; tas:_ChunkSizes = 1, 3 ;
data:
  time = 0, 1 ;
  tas = ${seq(6)} ;
}
`;
  const filtersOf = (out: string, key: string): string[] => ((JSON.parse(productDocument(out, key)) as { filters: { id: string }[] | null }).filters ?? []).map((f) => f.id);

  it("references stop short of a trailing checksum, which Python's zarr opens without a fletcher32 codec; a leading one stays a codec", async () => {
    await inTempDir("drover-fletcher-", async (dir) => {
      const files = [h5pyFile(join(dir, "a.h5"), 0), h5pyFile(join(dir, "b.h5"), 4)];
      const out = join(dir, "out.json");
      const r = await run(["refs", ...files, "-o", out, "--inline-threshold", "0"]);
      expect(r.code, r.stderr).toBe(0);
      expect(filtersOf(out, "tas/.zarray")).toEqual(["shuffle", "zlib"]);
      expect(r.stdout + r.stderr).not.toContain("fletcher32 codec");
      // Debian's numcodecs (0.11) has no fletcher32 codec: before, this product could not be opened.
      if (hasXarray) expect((await xarrayCompareAsync(out, "time", files)).problems).toEqual([]);
      const leading = ncgen(join(dir, "c.nc"), cdl);
      const r2 = await run(["refs", leading, "-o", join(dir, "c.json"), "--inline-threshold", "0"]);
      expect(r2.code, r2.stderr).toBe(0);
      expect(filtersOf(join(dir, "c.json"), "tas/.zarray")).toEqual(["fletcher32", "zlib"]);
      // Python's numcodecs before 0.12 cannot open such references: the user is told, with the way out.
      expect(r2.stdout + r2.stderr).toMatch(/warning: variable tas: .*fletcher32 codec.*numcodecs has only from 0\.12.*drover zarr/);
      const z = await run(["zarr", leading, "-o", join(dir, "c.zarr")]);
      expect(z.code, z.stderr).toBe(0);
      expect(z.stdout + z.stderr).not.toContain("fletcher32 codec");
    });
  });
});

describe.skipIf(!hasNcgen)("drover refs and zarr on time bounds with units of their own, and on float32 times", () => {
  /** Time in days since the year 2000 + i, bounds in `bounds` units (the same in every file unless given per file). */
  const cdl = (name: string, timeOrigin: string, boundsUnits: string, times: number[], bnds: number[], type = "double") => `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  nv = 2 ;
variables:
  ${type} time(time) ; time:units = "days since ${timeOrigin}" ; time:bounds = "time_bnds" ;
  double time_bnds(time, nv) ; time_bnds:units = "${boundsUnits}" ;
  float tas(time) ;
data:
  time = ${times.join(", ")} ;
  time_bnds = ${bnds.join(", ")} ;
  tas = ${seq(times.length)} ;
}
`;

  it("leaves bounds in their own units alone when the time's units differ, and refuses bounds whose own units differ", async () => {
    await inTempDir("drover-bounds-", async (dir) => {
      // The year 2000 has 366 days: file b's time is in days since 2001, its bounds in hours since 2000 like file a's.
      const a = ncgen(join(dir, "a.nc"), cdl("a", "2000-01-01", "hours since 2000-01-01", [15, 45], [0, 24, 24, 48]));
      const b = ncgen(join(dir, "b.nc"), cdl("b", "2001-01-01", "hours since 2000-01-01", [15, 45], [8784, 8808, 8808, 8832]));
      for (const out of [join(dir, "out.json"), join(dir, "out.zarr")]) {
        const r = await run([out.endsWith(".json") ? "refs" : "zarr", a, b, "-o", out]);
        expect(r.code, r.stderr).toBe(0);
        if (hasXarray) expect((await xarrayCompareAsync(out, "time", [a, b])).problems).toEqual([]);
      }
      // The validator reads each side under its own label: bounds relabelled in the product are caught.
      const doc = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as { refs: Record<string, string> };
      doc.refs["time_bnds/.zattrs"] = (doc.refs["time_bnds/.zattrs"] ?? "").replace("hours since 2000-01-01", "days since 2000-01-01");
      writeFileSync(join(dir, "relabelled.json"), JSON.stringify(doc));
      const v = await validateProduct({ project: "p", files: [a, b], config: { format: "kerchunk" }, product: join(dir, "relabelled.json"), workDir: join(dir, "w") });
      expect(v.summary.status).toMatch(/^Fatal/);
      // Bounds whose own units differ between files are refused, naming them.
      const c = ncgen(join(dir, "c.nc"), cdl("c", "2000-01-01", "days since 2001-01-01", [381, 411], [0, 30, 30, 60]));
      const refused = await run(["refs", a, c, "-o", join(dir, "no.json"), "--no-validate"]);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(/time_bnds has units=.*bounds with units of their own/);
    });
  });

  it("names the file and the variable when the files would be ordered by a coordinate of variable-length strings", async () => {
    await inTempDir("drover-strcoord-", async (dir) => {
      const member = (name: string, label: string) => ncgen(join(dir, `${name}.nc`), `netcdf ${name} {
dimensions: time = 2 ; member = 1 ;
variables:
  double time(time) ; time:units = "days since 2000-01-01" ;
  string member(member) ;
  float tas(member, time) ;
data:
  time = 0, 1 ; member = "${label}" ; tas = 1, 2 ;
}
`);
      const files = [member("m0", "r1i1p1"), member("m1", "r2i1p1")];
      const r = await run(["refs", ...files, "-o", join(dir, "out.json"), "--concat-dim", "member"]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${files[0]}: variable member holds variable-length strings`);
    });
  });

  it("refuses float32 times that float32 cannot hold in the earliest file's units", async () => {
    await inTempDir("drover-f32time-", async (dir) => {
      const a = ncgen(join(dir, "a.nc"), cdl("a", "1850-01-01", "days since 1850-01-01", [0, 1], [0, 1, 1, 2], "float").replace(/time_bnds:units = "[^"]*" ;/, ""));
      // One hour past 2000-01-01 is 54786.0416… days since 1850: float32 holds only 54786.04296875 (two minutes off).
      const b = ncgen(join(dir, "b.nc"), cdl("b", "1850-01-01", "x", [1, 2], [1, 2, 2, 3], "float").replace('"days since 1850-01-01"', '"hours since 2000-01-01"').replace(/time_bnds:units = "[^"]*" ;/, ""));
      for (const out of [join(dir, "out.json"), join(dir, "out.zarr")]) {
        const r = await run([out.endsWith(".json") ? "refs" : "zarr", a, b, "-o", out, "--no-validate"]);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain("float32 cannot hold");
        expect(r.stderr).not.toContain("write a Zarr copy");
      }
    });
  });
});

describe("drover refs on files that cannot be combined", () => {
  it("keeps the inventory listing every problem beside the output and names it", async () => {
    await inTempDir("drover-refused-", async (dir) => {
      // Two grids: every file of the second series differs from the first's in lat, lon and tas.
      const narrow = await writeSeries(join(dir, "narrow"), "n", tinySeries({ steps: [2, 2, 2, 2] }), 1);
      const wide = await writeSeries(join(dir, "wide"), "w", tinySeries({ steps: [2, 2, 2, 2], nlat: 5, nlon: 10 }), 2);
      const out = join(dir, "out.json");
      const r = await run(["refs", narrow[0] ?? "", ...wide.slice(1), "-o", out, "--no-validate"]);
      expect(r.code).toBe(1);
      const more = /… \((\d+) more in (\S+)\)/.exec(r.stderr);
      expect(more, r.stderr).not.toBeNull();
      expect(more?.[2]).toBe(`${out}.inventory.json`);
      const inventory = JSON.parse(readFileSync(`${out}.inventory.json`, "utf8")) as { issues: Array<{ severity: string; message: string }> };
      const fatal = inventory.issues.filter((i) => i.severity === "fatal");
      // The message shows five problems and counts the rest: together, every fatal one in the file.
      expect(fatal.length).toBe(5 + Number(more?.[1]));
      for (const i of fatal.slice(0, 5)) expect(r.stderr).toContain(i.message);
      expect(existsSync(out)).toBe(false);
    });
  });

  it("refuses a directory as an input and a non-numeric --inline-threshold as usage errors, and takes an existing path with [ literally", async () => {
    await inTempDir("drover-inputs-", async (dir) => {
      const files = await writeSeries(join(dir, "run[1]"), "br", tinySeries({ steps: [2, 2] }), 17);
      const asDir = await run(["refs", join(dir, "run[1]"), "-o", join(dir, "a.json")]);
      expect(asDir.code, asDir.stderr).toBe(2);
      expect(asDir.stderr).toContain(`${join(dir, "run[1]")} is a directory`);
      const notANumber = await run(["refs", join(dir, "no-such-file.nc"), "-o", join(dir, "b.json"), "--inline-threshold", "abc"]);
      expect(notANumber.code, notANumber.stderr).toBe(2);
      expect(notANumber.stderr).toContain("--inline-threshold takes a whole number");
      const badThreads = await run(["refs", ...files, "-o", join(dir, "b.json"), "--source-threads", "two"]);
      expect(badThreads.code, badThreads.stderr).toBe(2);
      expect(badThreads.stderr).toContain("--source-threads takes a whole number");
      const literal = await run(["refs", ...files, files[0] ?? "", "-o", join(dir, "c.json"), "--no-validate"]);
      expect(literal.code, literal.stderr).toBe(0);
      expect(literal.stderr).toContain(`warning: ${files[0]} is given more than once; it is taken once`);
    });
  });

  it("refuses an output that is a directory before reading any file", async () => {
    await inTempDir("drover-outdir-", async (dir) => {
      const out = join(dir, "refs.json");
      mkdirSync(out);
      const input = join(dir, "in.nc");
      writeFileSync(input, "not read: the output is refused first");
      const r = await run(["refs", input, "-o", out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`-o ${out} is a directory`);
    });
  });
});

const available = await servicesAvailable();

describe.skipIf(!available)("drover against the broker and the database", () => {
  const iso = isolate("cli");
  const home = mkdtempSync(join(tmpdir(), "drover-cli-"));
  const data = join(home, "data");
  const env = { AMQP_URL, AMQP_EXCHANGE: iso.exchange, COUCHDB_URL, COUCHDB_DB: iso.db, DROVER_HOME: home, DROVER_DATA_ROOTS: data, NO_COLOR: "1" };
  let store: DocStore;
  let tracker: Running | undefined;
  const csv = join(data, "one.csv");

  beforeAll(async () => {
    store = await openCouchStore(COUCHDB_URL, iso.db);
    // A big group written straight into the database: its JSON is far over a pipe's 64 KiB.
    const codes = Array.from({ length: 300 }, (_, i) => `project${String(i).padStart(3, "0")}`);
    const now = new Date().toISOString();
    await store.put(newGroup("big", "/nowhere/big.csv", codes, now));
    for (const c of codes) await store.put(newProject("big", c, [`/nowhere/${c}/a.nc`, `/nowhere/${c}/b.nc`], { format: "kerchunk" }, `/nowhere/work/${c}`, now));
    // Many groups: \`drover status\` writes a line for each, one after another.
    for (let i = 0; i < 40; i++) await store.put(newGroup(`many${i}`, "/nowhere/many.csv", [], now));
    // One project of one file, for the tracker's answers.
    mkdirSync(data, { recursive: true });
    await writeSeries(join(data, "one"), "one", tinySeries(), 7);
    writeFileAtomic(csv, `one,${join(data, "one", "*.nc")}\n`);
    // A state-tracker and no workers: a launched project waits in Scanning, in progress.
    tracker = startService("state-tracker", env);
  });

  afterAll(async () => {
    await tracker?.stop();
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("writes all of a large --json status into a slow pipe", async () => {
    const r = await run(`$DROVER status big --json | (sleep 1; cat)`, env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(64 * 1024);
    const parsed = JSON.parse(r.stdout) as { projects: unknown[] };
    expect(parsed.projects).toHaveLength(300);
  });

  it("ends quietly when the reader of its output goes away", async () => {
    for (const line of ["$DROVER status | head -1", "$DROVER status big --json | head -1"]) {
      const r = await run(line, env);
      expect(r.stdout.split("\n")).toHaveLength(2);
      expect(r.stderr, line).toBe("");
      expect(r.code, line).toBe(0);
    }
  });

  it("says at once that a group it is asked to watch does not exist", async () => {
    const r = await run(["status", "nope", "--watch"], env, 30_000);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no group called nope");
  });

  it("launches a group once, refuses a relaunch at the door, and starts it over with --replace", async () => {
    const first = await run(["launch", csv], env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("launched group one: 1 project, 1 file (");
    const p = await eventually("project one to be scanning", async () => {
      const doc = await readProject(store, "project:one:one");
      return doc?.state === "Scanning" ? doc : undefined;
    });
    expect(p.history.map((h) => [h.from, h.to])).toEqual([
      [null, "Registered"],
      ["Registered", "Scanning"],
    ]);

    const again = await run(["launch", csv], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("group one already exists (Active, 1 project");
    expect(again.stderr).toContain("--replace");
    expect(again.stderr).toContain("--group one-2");

    const replaced = await run(["launch", csv, "--replace"], env);
    expect(replaced.stderr).toBe("");
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain("started over");
    const g = await readGroup(store, "group:one");
    expect(g?.history.at(-1)?.reason).toContain("started over");
    const fresh = await readProject(store, "project:one:one");
    expect(fresh?.phases.scan?.requestId).not.toBe(p.phases.scan?.requestId);
    expect(fresh?.history[0]?.reason).toContain("replacing the earlier registration");
  });

  it("reports the state-tracker's refusal of a retry and exits non-zero", async () => {
    await eventually("project one to be scanning", async () => ((await readProject(store, "project:one:one"))?.state === "Scanning" ? true : undefined));
    const r = await run(["retry", "one", "one"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("retry one/one: refused (Scanning)");
  });

  it("reports an accepted request with the state it led to", async () => {
    const fl = await run(["faultlist", "one", "one", "--reason", "testing the answer"], env);
    expect(fl.stderr).toBe("");
    expect(fl.code).toBe(0);
    expect(fl.stdout).toContain("faultlist one/one: done (Faultlisted)");
    const back = await run(["retry", "one", "one"], env);
    expect(back.stderr).toBe("");
    expect(back.code).toBe(0);
    expect(back.stdout).toContain("retry one/one: done (Scanning)");
    const refused = await run(["accept", "one", "one"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("only ValidatedWithWarnings can be accepted");
  });

  it("fails clearly when no state-tracker answers", async () => {
    await tracker?.stop();
    const r = await run(["faultlist", "one", "one", "--reason", "nobody listens", "--timeout", "2"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the state-tracker did not answer");
    expect(existsSync(home)).toBe(true);
  });
});

describe.skipIf(!available)("the operator's read-only commands on groups run by the real services", () => {
  const iso = isolate("cli-operator");
  const home = mkdtempSync(join(tmpdir(), "drover-cli-operator-"));
  const data = join(home, "data");
  const env = { AMQP_URL, AMQP_EXCHANGE: iso.exchange, COUCHDB_URL, COUCHDB_DB: iso.db, DROVER_HOME: home, DROVER_DATA_ROOTS: data, NO_COLOR: "1" };
  let services: Running[] = [];
  let store: DocStore;
  let groups: GroupWatch;
  let cut = "";
  const tas = "tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn";

  beforeAll(async () => {
    const sample = await writeDemoGroup(data);
    // A second group whose one project has a truncated file: its scan fails, naming the file.
    const bad = join(data, "broken");
    mkdirSync(bad, { recursive: true });
    const files = sample.projects[tas] ?? [];
    cut = join(bad, "tas_part2.nc");
    copyFileSync(files[1] ?? "", cut);
    truncateSync(cut, Math.floor(statSync(cut).size / 3));
    copyFileSync(files[0] ?? "", join(bad, "tas_part1.nc"));
    writeFileSync(join(bad, "broken.csv"), `truncated,${join(bad, "tas_part*.nc")}\n`);
    services = ["state-tracker", "scanner", "computer", "validator", "completion"].map((name) => startService(name, env));
    store = await openCouchStore(COUCHDB_URL, iso.db);
    groups = await watchGroups(iso.exchange, store);
    await Promise.all(services.map((r) => r.ready()));
    for (const [csv, group] of [
      [sample.groupFile, "demo"],
      [join(bad, "broken.csv"), "broken"],
    ] as const) {
      const launched = await run(["launch", csv, "--group", group], env);
      expect(launched.code, launched.stderr).toBe(0);
    }
    await groups.settled("demo", { services });
    await groups.settled("broken", { services });
  });

  afterAll(async () => {
    await within(groups?.close() ?? Promise.resolve(), 30_000);
    await Promise.all(services.map((r) => r.stop()));
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("status <group> counts a completed group phase by phase at 100%", async () => {
    const r = await run(["status", "demo"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("group demo: Completed  3 projects");
    for (const phase of ["scan", "compute", "validate", "complete"]) expect(r.stdout).toMatch(new RegExp(`\\n  ${phase} +3 100% +0 +0 +0\\n`));
    expect(r.stdout).not.toContain("needing an operator");
  });

  it("status <group> lists a failing project with its error on one line, naming the file", async () => {
    const r = await run(["status", "broken"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}scan +0 +0% +0 +1 +0\n/);
    const line = r.stdout.split("\n").find((l) => l.trimStart().startsWith("truncated "));
    expect(line).toMatch(/ScanFailed +SourceFormatError: /);
    expect(line).toContain(cut);
    const json = JSON.parse((await run(["status", "broken", "--json"], env)).stdout) as { counts: Record<string, number>; projects: { code: string }[] };
    expect(json.counts["ScanFailed"]).toBe(1);
    expect(json.projects.map((p) => p.code)).toEqual(["truncated"]);
  });

  it("show prints the files, the config, the inventory, the timeline and where the outputs are", async () => {
    const r = await run(["show", `demo/${tas}`], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`project demo/${tas}: Completed`);
    expect(r.stdout).toMatch(/files: 3 files in .*\/demo\/tas\/, [0-9.]+ kB/);
    expect(r.stdout).toContain("concat dim time (chosen by the scan)");
    expect(r.stdout).toMatch(/tas\(time, lat, lon\) <f4 shape 36×36×72/);
    expect(r.stdout).toMatch(/timeline \(scan [0-9.]+ s, compute [0-9.]+ s, validate [0-9.]+ s, complete [0-9.]+ s\):/);
    for (const move of ["(new) → Registered", "Scanning → Scanned", "Validating → Validated", "Completing → Completed"]) expect(r.stdout).toContain(move);
    expect(r.stdout).toContain("errors: none");
    expect(r.stdout).toMatch(/published +.*complete\/demo\/data\/tas_Amon.*\.k1\.0\.json\n/);
    // The old name and the two-word form still work.
    const old = await run(["history", "demo", tas], env);
    expect(old.code).toBe(0);
    expect(old.stdout).toContain("Completing → Completed");
  });

  it("logs merges the scanner's, computer's and validator's lines with the state-tracker's, in time order", async () => {
    const r = await run(["logs", `demo/${tas}`], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const index = (service: string, text: string) => lines.findIndex((l) => new RegExp(`^\\S+ \\S+ +${service} +\\S+ +info +${text}`).test(l));
    const order = [
      index("state-tracker", "Registered → Scanning"),
      index("scanner", "scan started \\(3 files\\)"),
      index("scanner", "scan succeeded"),
      index("computer", "compute started"),
      index("computer", "compute succeeded"),
      index("validator", "validate started"),
      index("validator", "validate succeeded"),
      index("state-tracker", "Completing → Completed"),
    ];
    expect(order.every((i) => i >= 0), r.stdout).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const times = lines.map((l) => l.slice(0, 23));
    expect([...times].sort()).toEqual(times);

    const validate = await run(["logs", `demo/${tas}`, "--phase", "validate"], env);
    expect(validate.stdout).toContain("validator");
    expect(validate.stdout).not.toContain("scanner");
    const bad = await run(["logs", `demo/${tas}`, "--phase", "valdate"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("did you mean validate?");
  });

  it("logs of a failed scan show the error with its file", async () => {
    const r = await run(["logs", "broken/truncated"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`scanner +scan +error +scan failed: .*kind=SourceFormatError file=${cut.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  });

  it("report prints the validation reports readably, with counts", async () => {
    const r = await run(["report", `demo/${tas}`], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^report of demo/${tas}: Success, \\d+ values compared in 3 files\\n`));
    expect(r.stdout).toContain("0 fatal, 0 warnings, 0 bypassed by the ignore template");
    expect(r.stdout).toContain("global.tracking_id: differs between source files");
    const none = await run(["report", "broken/truncated"], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("broken/truncated has no validation report yet (it is ScanFailed");
  });

  it("summarise adds up the group's sources and products", async () => {
    const r = await run(["summarise", "demo"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^demo: 3 projects\n {2}source files: +8 files, [0-9.]+ [kM]B, \d+ chunks\n {2}products: +kerchunk json 3; [0-9.]+ kB, \d+ chunks written\n/);
    const all = await run(["summarise", "--json"], env);
    const parsed = JSON.parse(all.stdout) as { group: string; projects: number }[];
    expect(parsed.map((s) => [s.group, s.projects])).toEqual([
      ["broken", 1],
      ["demo", 3],
      ["all 2 groups", 4],
    ]);
  });

  it("suggests the group or project meant by a mistyped name", async () => {
    const group = await run(["status", "dmeo"], env);
    expect(group.code).toBe(1);
    expect(group.stderr).toContain("no group called dmeo; did you mean demo?");
    const project = await run(["show", "demo/tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gx"], env);
    expect(project.code).toBe(1);
    expect(project.stderr).toContain(`no project tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gx in group demo; did you mean ${tas}?`);
    const start = await run(["logs", "demo", "tas"], env);
    expect(start.stderr).toContain(`did you mean ${tas}?`);
  });
});
