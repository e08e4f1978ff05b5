import { randomBytes } from "node:crypto";

// Phoenix Presence as Realtime runs it, for one process: per topic, who is tracked under which key
// with which metadata. State and diffs have Phoenix's shapes, which @supabase/phoenix's Presence
// (behind RealtimePresence) merges:
//   presence_state  { <key>: { metas: [{ phx_ref, ...meta }] } }
//   presence_diff   { joins: { <key>: { metas: [...] } }, leaves: { <key>: { metas: [...] } } }
// A second track by the same channel replaces its metadata: the diff joins the new meta (with
// `phx_ref_prev`) and leaves the old one, as Phoenix.Presence.update does.

export type PresenceMeta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceGroups = Record<string, { metas: PresenceMeta[] }>;
export interface PresenceDiff {
  joins: PresenceGroups;
  leaves: PresenceGroups;
}

interface Tracked {
  key: string;
  meta: PresenceMeta;
}

function presenceRef(): string {
  return randomBytes(12).toString("base64");
}

function group(entries: Iterable<Tracked>): PresenceGroups {
  const groups: PresenceGroups = {};
  for (const { key, meta } of entries) (groups[key] ??= { metas: [] }).metas.push(meta);
  return groups;
}

export class PresenceRegistry {
  private readonly topics = new Map<string, Map<object, Tracked>>();

  /** Tracks `owner` (one joined channel) under `key` on `topic`. */
  track(topic: string, owner: object, key: string, meta: Record<string, unknown>): PresenceDiff {
    const tracked = this.topics.get(topic) ?? new Map<object, Tracked>();
    this.topics.set(topic, tracked);
    const previous = tracked.get(owner);
    const next: Tracked = { key, meta: { ...meta, phx_ref: presenceRef(), ...(previous ? { phx_ref_prev: previous.meta.phx_ref } : {}) } };
    tracked.set(owner, next);
    return { joins: group([next]), leaves: previous ? group([previous]) : {} };
  }

  untrack(topic: string, owner: object): PresenceDiff | null {
    const tracked = this.topics.get(topic);
    const previous = tracked?.get(owner);
    if (!tracked || !previous) return null;
    tracked.delete(owner);
    if (tracked.size === 0) this.topics.delete(topic);
    return { joins: {}, leaves: group([previous]) };
  }

  list(topic: string): PresenceGroups {
    return group(this.topics.get(topic)?.values() ?? []);
  }
}
