/** The list of hop records of one scenario (trace.ts HopRecord), shared by the services and the API gateway. */
import type { HopRecord } from "./trace.ts";

export class HopLog {
  readonly records: HopRecord[] = [];

  add(hop: Omit<HopRecord, "seq" | "invocation" | "chain"> & Partial<Pick<HopRecord, "invocation" | "chain">>): HopRecord {
    const record: HopRecord = { invocation: null, chain: null, ...hop, seq: this.records.length };
    this.records.push(record);
    return record;
  }

  /** The hops that refused their payload, in order. */
  rejected(): HopRecord[] {
    return this.records.filter((h) => h.outcome === "rejected");
  }
}
