import { describe, expect, it } from "vitest";
import { hintMessage, runningMessage, summaryMessage, unusableMessage } from "../../src/client/messages.ts";
import { exercise, grade } from "../helpers.ts";

describe("what the island announces", () => {
  it("summarises a Run and a Grade of the starter and of the solution", async () => {
    const ex = await exercise("lifecycle/reuse-client");
    expect(summaryMessage(await grade(ex, ex.starter, { mode: "run" }))).toMatchInlineSnapshot(
      `"Run: 1 of 4 visible checks passed. First failure: opens one connection per environment, not one per request."`,
    );
    expect(summaryMessage(await grade(ex, ex.starter, { mode: "grade" }))).toMatchInlineSnapshot(
      `"Grade: 3 of 10 checks passed (visible and hidden). First failure: opens one connection per environment, not one per request."`,
    );
    expect(summaryMessage(await grade(ex, ex.solution, { mode: "run" }))).toMatchInlineSnapshot(
      `"Run: all 4 visible checks passed. Press Grade to run the hidden checks too."`,
    );
    expect(summaryMessage(await grade(ex, ex.solution, { mode: "grade" }))).toMatchInlineSnapshot(`"Grade: all 10 checks passed, visible and hidden. Exercise solved."`);
  });

  it("words the waiting, the unusable code and the hints", () => {
    expect(runningMessage("run")).toMatchInlineSnapshot(`"Running the visible checks…"`);
    expect(runningMessage("grade")).toMatchInlineSnapshot(`"Grading: running the visible and hidden checks…"`);
    expect(unusableMessage("handler.js line 3: unexpected token")).toMatchInlineSnapshot(`"Your code could not be graded: handler.js line 3: unexpected token"`);
    expect(hintMessage(2, 3, "Open it once")).toMatchInlineSnapshot(`"Hint 2 of 3: Open it once"`);
  });
});
