/**
 * Recursive loop detection (lambda-model.md §3): every invocation belongs to a chain, carried by the messages its code
 * sends (queue messages, topic and bus events, objects, async invokes, destination records). An invocation caused by
 * a message is one hop further down the chain than the invocation that sent it; a request from outside starts a new
 * chain at hop 1. Lambda stops the invocation after 16 in one chain unless the function's `recursiveLoop` is "Allow".
 */
import type { InvocationRecord } from "./trace.ts";

/** Where an invocation, or a message it sent, sits in a chain of invocations. */
export interface Chain {
  /** The event id of the outside request that started the chain. */
  chainId: string;
  /** Invocations so far in the chain, counting the one this refers to (1 for a request from outside). */
  hops: number;
}

/** Lambda lets 16 invocations of one chain run and stops the next (§3: "more than 16 times"; the 17th was dropped). */
export const RECURSION_LIMIT = 16;

/** The chain of an invocation caused by a message sent in chain `from` (a message's chain is its sender's). */
export function nextHop(from: Chain): Chain {
  return { chainId: from.chainId, hops: from.hops + 1 };
}

/** The chain an invocation's code sends messages in: its own, or a new one at hop 1 when it came from outside. */
export function chainOf(record: InvocationRecord): Chain {
  return record.chain ?? { chainId: record.eventId, hops: 1 };
}

/** The chain of a batch of messages (an SQS batch): the longest of their senders' chains, or null if none has one. */
export function longestChain(chains: ReadonlyArray<Chain | null>): Chain | null {
  let longest: Chain | null = null;
  for (const c of chains) if (c !== null && (longest === null || c.hops > longest.hops)) longest = c;
  return longest;
}

/** Whether Lambda stops an invocation at this hop. */
export function loopStops(chain: Chain | null, recursiveLoop: "Terminate" | "Allow"): boolean {
  return chain !== null && chain.hops > RECURSION_LIMIT && recursiveLoop === "Terminate";
}

export const RECURSION_ERROR = {
  errorType: "RecursiveInvocationException",
  errorMessage: "Lambda detected that the function is being invoked in a recursive loop with other resources and stopped this invocation.",
} as const;

export function recursionReason(name: string, chain: Chain): string {
  return `${name} would have been invocation ${chain.hops} in chain ${chain.chainId}; Lambda stops a recursive loop after ${RECURSION_LIMIT} invocations (recursiveLoop is "Terminate")`;
}

/** The AWS Health Dashboard notice about a stopped loop (§3); its wording is the workbook's. */
export function healthNotice(name: string): string {
  return `AWS Health Dashboard: Lambda detected that ${name} was invoked in a recursive loop and stopped the loop's invocations. Check the resources that invoke it, or set its recursiveLoop to "Allow" if the loop is intended.`;
}
