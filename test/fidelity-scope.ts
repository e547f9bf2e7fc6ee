/**
 * Facts of ../shared/lambda-model.md that the simulator leaves out on purpose, each with the reason. Keys are written
 * as a test would cite the fact (`§N <first column>`, a decision's lead or a phrase of it, or the first column alone
 * for the Neighbour services table). `npm test` rejects a key that names no fact and a fact that is both listed here
 * and cited by a test (test/scripts/fidelity.test.ts). A fact the simulator should model but does not yet belongs
 * nowhere here: it stays "untested" in test/fidelity.md, which is the list of gaps.
 */
export const OUT_OF_SCOPE: Record<string, string> = {
  "§0 Lambda response streaming": "no streaming invoke in the workbook: handlers return buffered responses (the 6 MB limit of §5 applies)",
  "§5 Lambda response streaming": "no streaming invoke in the workbook (no Function URLs or InvokeWithResponseStream)",
  "§5 Deprecated InvokeAsync API": "the simulator offers Invoke only (RequestResponse and Event); the deprecated API is history for lessons",
  "§2 File descriptors / processes+threads": "the QuickJS sandbox has no file descriptors, processes or threads to count; /tmp is modelled by its bytes",
  "§2 New accounts": "an account's quotas are configuration (account.concurrencyLimit); the simulator has no account history",
  "§9 AWS changed its account Free Tier programme": "an open question about AWS's Free Tier for new accounts, not a behaviour to simulate",
  "§10 AWS guidance": "advice for handler code, taught by the idempotence chapter and graded by its exercises, not simulator behaviour",
  "§11 Don't keep user data in the environment": "advice for handler code; the simulator's part is that module state survives in an environment (§1 Warm reuse)",
  "§11 SaaS isolation models": "architecture vocabulary for lessons, not simulator behaviour",
};
