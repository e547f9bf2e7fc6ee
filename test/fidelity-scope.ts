/**
 * Facts of ../shared/lambda-model.md that the simulator leaves out, each with the reason. Keys are written as a test
 * would cite the fact (`§N <first column>`, or the first column alone for the Neighbour services table). `npm test`
 * rejects a key that names no fact and a fact that is both listed here and cited by a test (test/scripts/fidelity.test.ts).
 */
export const OUT_OF_SCOPE: Record<string, string> = {};
