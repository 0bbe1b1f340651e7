import { describe, expect, it } from "vitest";
import * as shared from "@drover/shared";

describe("the public surface of @drover/shared", () => {
  it("names every export on purpose", () => {
    expect(Object.keys(shared).sort()).toMatchSnapshot();
  });
});
