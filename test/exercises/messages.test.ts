import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exercise, failed, grade } from "../helpers.ts";

/** The messages a learner reads are pinned: a change to them is a deliberate change. */
async function messagesOf(id: string, source: string, mode: "run" | "grade" = "grade") {
  const report = await grade(await exercise(id), source, { mode });
  return failed(report).map((c) => `${c.scenario} | ${c.name} | ${c.message}`);
}

const wrong = (path: string) => readFileSync(new URL(`../../exercises/${path}`, import.meta.url), "utf8");

describe("idempotence/charge-once explains what happened", () => {
  it("tells the learner who charged the customer twice and why that attempt ran", async () => {
    const ex = await exercise("idempotence/charge-once");
    expect(await messagesOf(ex.id, ex.starter, "run")).toMatchInlineSnapshot(`
      [
        "the receipt service hangs on the first attempt | charges order o-17 exactly once | order o-17 was charged 2 times: attempt 2 was Lambda's automatic retry of the same event after attempt 1 timed out at 3,000 ms; it ran on env-1 (reset after a failure: its module state was gone) and charged again. Every attempt of the same event must lead to one charge.",
      ]
    `);
  });

  it("tells the learner why a module-level Set does not survive a retry", async () => {
    expect((await messagesOf("idempotence/charge-once", wrong("04-idempotence/01-charge-once/wrong-fixes/module-seen-set.js")))[0]).toMatchInlineSnapshot(`"the receipt service hangs on the first attempt | charges order o-17 exactly once | order o-17 was charged 2 times: attempt 2 was Lambda's automatic retry of the same event after attempt 1 timed out at 3,000 ms; it ran on env-1 (reset after a failure: its module state was gone) and charged again. Every attempt of the same event must lead to one charge."`);
  });

  it("tells the learner that check-then-charge lets two deliveries both charge", async () => {
    expect(await messagesOf("idempotence/charge-once", wrong("04-idempotence/01-charge-once/wrong-fixes/check-then-charge.js"))).toMatchInlineSnapshot(`
      [
        "two deliveries of one event at the same moment | charges order o-88 exactly once | order o-88 was charged 2 times: attempt 1 came from a second delivery of the same event (Lambda's event queue may deliver an event more than once); it ran on env-2 (a new environment: cold start) and charged again, while the first was still running on env-1. Every attempt of the same event must lead to one charge.",
      ]
    `);
  });

  it("tells the learner that a random key changes on every attempt", async () => {
    expect((await messagesOf("idempotence/charge-once", wrong("04-idempotence/01-charge-once/wrong-fixes/random-key.js")))[0]).toMatchInlineSnapshot(`"the receipt service hangs on the first attempt | charges order o-17 exactly once | order o-17 was charged 2 times: attempt 2 was Lambda's automatic retry of the same event after attempt 1 timed out at 3,000 ms; it ran on env-1 (reset after a failure: its module state was gone) and charged again. The charges carried different idempotency keys ("14d21ac3-acd6-48de-8745-9a582d87557e" and "b569baf0-3fa0-4bc7-a800-613d0ba2f30f"), so the provider could not tell they were for the same order. Every attempt of the same event must lead to one charge."`);
  });
});

describe("lifecycle/reuse-client explains what happened", () => {
  it("tells the learner that warm invocations opened their own connections", async () => {
    const ex = await exercise("lifecycle/reuse-client");
    expect(await messagesOf(ex.id, ex.starter, "run")).toMatchInlineSnapshot(`
      [
        "steady traffic | opens one connection per environment, not one per request | 12 connections were opened for 1 environment (1 INIT phase): the 11 warm invocations each opened their own instead of reusing the one their environment already had.",
        "steady traffic | warm invocations do not wait for a new connection (180 ms) | 11 warm invocations took 180 ms or more; for example invocation 2 on env-1 (warm) took 211 ms, of which 180 ms went into opening a connection. A warm environment already has one from its INIT phase.",
        "steady traffic | keeps the billed duration of these requests under 1,500 ms | the 12 invocations were billed 2,807 ms in total (2,332 ms of it on warm invocations). Lambda bills the time a handler spends waiting for a connection like any other time.",
      ]
    `);
  });
});
