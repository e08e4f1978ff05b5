// The fetch every provider uses unless a call brings its own: the egress rules (no internal
// addresses, checked redirects, bounded size), with a time bound above the longest provider
// default, since each call's own deadline is the limit that matters.
import { egressFetch } from "../egress.ts";
import { defaultTimeoutMs } from "./provider.ts";

export const providerFetch = egressFetch({
  timeoutMs: Math.max(...Object.values(defaultTimeoutMs)) + 60_000,
  maxResponseBytes: 32 * 1024 * 1024,
});
