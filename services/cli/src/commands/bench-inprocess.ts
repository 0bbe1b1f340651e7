import { buildReferences } from "@drover/shared/refs/write-refs";
import { kerchunkJson } from "@drover/shared/refs/serialise";
import { readLayout } from "@drover/shared/formats/read-layout";
import { scanProject } from "@drover/shared/scan/scan-project";
import { statSync } from "node:fs";

// Inside one process: how long each stage of a reference build takes, and how many bytes the
// layout reader reads per file against the file's metadata.

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ms = (x: number) => +x.toFixed(1);

export async function inProcessReferences(files: string[], work: string, rounds: number): Promise<Record<string, unknown>> {
  const totalBytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const layoutMs: number[] = [];
  let bytesRead = 0;
  let metadataBytes = 0;
  for (let r = 0; r < rounds; r++) {
    bytesRead = 0;
    metadataBytes = 0;
    const t = performance.now();
    for (const f of files) {
      const { layout, bytesRead: n } = readLayout(f);
      bytesRead += n;
      const stored = layout.variables.reduce((s, v) => {
        const st = v.storage;
        if (st.kind === "chunked") return s + st.chunks.reduce((a, c) => a + c.length, 0);
        if (st.kind === "contiguous") return s + st.length;
        return s;
      }, 0);
      metadataBytes += layout.size - stored;
    }
    layoutMs.push(performance.now() - t);
  }
  const scanMs: number[] = [];
  const buildMs: number[] = [];
  const serialiseMs: number[] = [];
  let jsonBytes = 0;
  let keys = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const scan = await scanProject("bench", files, { format: "kerchunk" }, work);
    const t1 = performance.now();
    const { doc } = buildReferences(scan.inventory, undefined, {}, () => {}, scan.layouts);
    const t2 = performance.now();
    jsonBytes = Buffer.byteLength(kerchunkJson(doc));
    serialiseMs.push(performance.now() - t2);
    scanMs.push(t1 - t0);
    buildMs.push(t2 - t1);
    keys = Object.keys(doc.refs).length;
  }
  const n = files.length;
  return {
    files: n,
    totalBytes,
    rounds,
    layouts: {
      msPerFile: +(median(layoutMs) / n).toFixed(3),
      bytesReadPerFile: Math.round(bytesRead / n),
      metadataBytesPerFile: Math.round(metadataBytes / n),
      bytesReadOverMetadata: +(bytesRead / metadataBytes).toFixed(2),
    },
    references: { msScan: ms(median(scanMs)), msBuild: ms(median(buildMs)), msSerialise: ms(median(serialiseMs)), keys, jsonBytes },
  };
}
