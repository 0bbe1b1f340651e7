import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { gatherWrites } from "../../shared/src/gather-writes.js";

// A real socket pair on loopback: what the peer receives, and how many times the writer's
// socket handed bytes to the system (its writes of one turn become one writev).

async function pair(): Promise<{ client: Socket; received: () => string; close: () => Promise<void> }> {
  let got = "";
  let peer: Socket | undefined;
  const server = createServer((s) => {
    peer = s;
    s.on("data", (d) => (got += d.toString()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const client = connect((server.address() as AddressInfo).port, "127.0.0.1");
  await new Promise<void>((r) => client.once("connect", () => r()));
  return {
    client,
    received: () => got,
    close: async () => {
      client.destroy();
      peer?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Counts the socket's calls into the system: single writes and gathered (writev) ones. */
function countSyscalls(s: Socket): { single: number; gathered: number } {
  const n = { single: 0, gathered: 0 };
  const handle = (s as unknown as { _handle: Record<string, (...a: unknown[]) => unknown> })._handle;
  for (const k of ["writeBuffer", "writeUtf8String", "writeLatin1String", "writeAsciiString"]) {
    const f = handle[k];
    if (f) handle[k] = (...a: unknown[]) => (n.single++, f.apply(handle, a));
  }
  const v = handle["writev"];
  if (v) handle["writev"] = (...a: unknown[]) => (n.gathered++, v.apply(handle, a));
  return n;
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("writes gathered per turn", () => {
  it("sends the writes of one turn in one call, in order, and the next turn's in another", async () => {
    const p = await pair();
    try {
      const n = countSyscalls(p.client);
      gatherWrites(p.client);
      gatherWrites(p.client); // a second call changes nothing
      for (const w of ["a", "b", "c"]) p.client.write(Buffer.from(w));
      await settle();
      p.client.write(Buffer.from("d"));
      p.client.write(Buffer.from("e"));
      await settle();
      expect(p.received()).toBe("abcde");
      expect(n).toEqual({ single: 0, gathered: 2 });
    } finally {
      await p.close();
    }
  });

  it("is what makes the difference: the same writes ungathered are one call each", async () => {
    const p = await pair();
    try {
      const n = countSyscalls(p.client);
      for (const w of ["a", "b", "c"]) p.client.write(Buffer.from(w));
      await settle();
      expect(p.received()).toBe("abc");
      expect(n.single + n.gathered).toBeGreaterThanOrEqual(2);
    } finally {
      await p.close();
    }
  });
});
