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

  it("tells the learner that wrapping the whole handler in the Powertools-like layer charges again once the timed-out claim expires", async () => {
    expect((await messagesOf("idempotence/charge-once", wrong("04-idempotence/01-charge-once/wrong-fixes/idempotent-whole-handler.js")))[0]).toMatchInlineSnapshot(`"the receipt service hangs on the first attempt | charges order o-17 exactly once | order o-17 was charged 2 times: attempt 2 was Lambda's automatic retry of the same event after attempt 1 timed out at 3,000 ms; it ran on env-1 (reset after a failure: its module state was gone) and charged again. Every attempt of the same event must lead to one charge."`);
  });

  it("tells the learner that a random key changes on every attempt", async () => {
    expect((await messagesOf("idempotence/charge-once", wrong("04-idempotence/01-charge-once/wrong-fixes/random-key.js")))[0]).toMatchInlineSnapshot(`"the receipt service hangs on the first attempt | charges order o-17 exactly once | order o-17 was charged 2 times: attempt 2 was Lambda's automatic retry of the same event after attempt 1 timed out at 3,000 ms; it ran on env-1 (reset after a failure: its module state was gone) and charged again. The charges carried different idempotency keys ("14d21ac3-acd6-48de-8745-9a582d87557e" and "b569baf0-3fa0-4bc7-a800-613d0ba2f30f"), so the provider could not tell they were for the same order. Every attempt of the same event must lead to one charge."`);
  });
});

describe("lifecycle/reuse-client explains what happened", () => {
  it("§11 Initialize outside the handler: tells the learner that warm invocations opened their own connections", async () => {
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

describe("lifecycle/reuse-client earns no pass for a handler that never reaches the database", () => {
  it("fails the connection checks instead of passing them for want of evidence", async () => {
    const crashes = `export async function handler() { throw new Error("not written yet"); }`;
    const messages = (await messagesOf("lifecycle/reuse-client", crashes, "run")).filter((m) => !m.includes("answers every request"));
    expect(messages).toMatchInlineSnapshot(`
      [
        "steady traffic | opens one connection per environment, not one per request | no connection was opened at all during the 12 invocations, so there was nothing to reuse: open one with downstream.connect() in the module's top level (the INIT phase) and call the database on it.",
        "steady traffic | warm invocations do not wait for a new connection (180 ms) | no warm invocation finished successfully (12 invocations, 1 cold start), so none could show a reused connection.",
      ]
    `);
  });
});

describe("lifecycle/reuse-client names the requests that got no answer", () => {
  it("tells the learner which requests failed, where they ran and with which error", async () => {
    expect((await messagesOf("lifecycle/reuse-client", wrong("00-lifecycle/01-reuse-client/wrong-fixes/skip-the-connection.js"), "run"))[0]).toMatchInlineSnapshot(`"steady traffic | answers every request with the product's price | 12 requests did not get a price: request 1 on env-1 (a new environment: cold start) got NotConnected: get-price needs a connection: open one with downstream.connect() and call it on that, request 2 on env-1 (warm) got NotConnected: get-price needs a connection: open one with downstream.connect() and call it on that and request 3 on env-1 (warm) got NotConnected: get-price needs a connection: open one with downstream.connect() and call it on that, …."`);
  });
});

describe("lifecycle/finish-before-returning explains what happened", () => {
  const fix = (name: string) => wrong(`00-lifecycle/02-finish-before-returning/wrong-fixes/${name}.js`);

  it("tells the learner that fire-and-forget work ran in the next request's invocation, or never", async () => {
    const ex = await exercise("lifecycle/finish-before-returning");
    expect(await messagesOf(ex.id, ex.starter, "run")).toMatchInlineSnapshot(`
      [
        "orders a second apart | each invocation finishes its own audit entry before it returns | 5 of 5 audit entries were not finished by the invocation that placed the order. Order o-1: sent at 1,000 ms by invocation 2 (another request's) on env-1 (warm), 735 ms after its own invocation had returned; order o-5: never sent (env-1 was recycled with the work still frozen in it); 3 more like these. When the handler returns, Lambda freezes the environment: work still pending waits for the next request to thaw it, or is lost if the environment is recycled first.",
        "orders a second apart | each invocation finishes its own warehouse reservation before it returns | 5 of 5 warehouse reservations were not finished by the invocation that placed the order. Order o-1: sent, but its invocation returned at 265 ms and the answer came at 295 ms (a failure would have gone unnoticed); 4 more like these. When the handler returns, Lambda freezes the environment: work still pending waits for the next request to thaw it, or is lost if the environment is recycled first.",
      ]
    `);
  });

  it("tells the learner that a setTimeout(…, 0) callback is frozen too", async () => {
    expect((await messagesOf("lifecycle/finish-before-returning", fix("set-timeout-zero")))[0]).toMatchInlineSnapshot(`"orders a second apart | each invocation finishes its own audit entry before it returns | 5 of 5 audit entries were not finished by the invocation that placed the order. Order o-1: sent at 1,008 ms by invocation 2 (another request's) on env-1 (warm), 743 ms after its own invocation had returned; order o-5: never sent (env-1 was recycled with the work still frozen in it); 3 more like these. When the handler returns, Lambda freezes the environment: work still pending waits for the next request to thaw it, or is lost if the environment is recycled first."`);
  });

  it("tells the learner that the warehouse call was left unanswered when only the audit was awaited", async () => {
    expect(await messagesOf("lifecycle/finish-before-returning", fix("await-only-the-audit"), "run")).toMatchInlineSnapshot(`
      [
        "orders a second apart | each invocation finishes its own warehouse reservation before it returns | 5 of 5 warehouse reservations were not finished by the invocation that placed the order. Order o-1: sent, but its invocation returned at 303 ms and the answer came at 333 ms (a failure would have gone unnoticed); 4 more like these. When the handler returns, Lambda freezes the environment: work still pending waits for the next request to thaw it, or is lost if the environment is recycled first.",
      ]
    `);
  });

  it("tells the learner that racing the work against a short timer returns before a slow service answers", async () => {
    expect(await messagesOf("lifecycle/finish-before-returning", fix("race-against-a-timer"))).toMatchInlineSnapshot(`
      [
        "a slow audit service | each invocation finishes its own audit entry before it returns | 4 of 4 audit entries were not finished by the invocation that placed the order. Order o-1: sent, but its invocation returned at 365 ms and the answer came at 1,173 ms (a failure would have gone unnoticed); 3 more like these. When the handler returns, Lambda freezes the environment: work still pending waits for the next request to thaw it, or is lost if the environment is recycled first.",
      ]
    `);
  });

  it("tells the learner that work saved for the next invocation runs late or never", async () => {
    expect((await messagesOf("lifecycle/finish-before-returning", fix("do-it-next-time")))[0]).toMatchInlineSnapshot(`"orders a second apart | each invocation finishes its own audit entry before it returns | 5 of 5 audit entries were not finished by the invocation that placed the order. Order o-1: sent at 1,008 ms by invocation 2 (another request's) on env-1 (warm), 743 ms after its own invocation had returned; order o-5: never sent (env-1 was recycled with the work still frozen in it); 3 more like these. When the handler returns, Lambda freezes the environment: work still pending waits for the next request to thaw it, or is lost if the environment is recycled first."`);
  });

  it("tells the learner that catching errors does not make the handler wait", async () => {
    expect((await messagesOf("lifecycle/finish-before-returning", fix("catch-instead-of-await")))[0]).toMatchInlineSnapshot(`"orders a second apart | each invocation finishes its own audit entry before it returns | 5 of 5 audit entries were not finished by the invocation that placed the order. Order o-1: sent at 1,000 ms by invocation 2 (another request's) on env-1 (warm), 735 ms after its own invocation had returned; order o-5: never sent (env-1 was recycled with the work still frozen in it); 3 more like these. When the handler returns, Lambda freezes the environment: work still pending waits for the next request to thaw it, or is lost if the environment is recycled first."`);
  });
});
