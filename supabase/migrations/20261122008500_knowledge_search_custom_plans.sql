-- knowledge search: every call is planned for its own arguments (plan_cache_mode = force_custom_plan).
--
-- plpgsql prepares each statement of a function once per connection and, after five calls, may
-- keep one generic plan — made without the arguments' values — whenever it costs less than the
-- average of the custom plans so far. For search_knowledge's final query that generic plan cannot
-- know the bases searched, so it estimates them as one row and ranks the vector half by a
-- sequential scan and an exact sort, where the custom plan of a base with stats uses the HNSW
-- index. The two pick different candidates (HNSW is approximate; among equal distances each takes
-- its own), so the same call answered other chunks from the sixth call on a pooled connection —
-- reproduced in supabase/tests/156-knowledge-search-plan-cache.test.sql (after ten top-20 calls
-- raised the custom average, every later top-3 hybrid and vector call got the generic plan and
-- other chunks) and by the knowledge bench on a 5,000-chunk base (12–15 of 100 hybrid answers). On a large base the same generic plan would read
-- every chunk of the table, and whether it is chosen depended on which searches ran before.
--
-- Planning each call costs little next to the search itself (the first five calls of every
-- connection were already planned so, and on large bases the generic plan was never chosen), and
-- the answer then depends on the arguments only. knowledge_text_candidates too: its tiers rely on
-- the GIN bitmap the planner picks for each tier's words. plan_cache_mode is settable by any user,
-- so this works on hosted Supabase; set on the function, it holds whatever the session sets.

alter function public.search_knowledge(text, extensions.vector, uuid[], integer, double precision, double precision, uuid[], jsonb, uuid)
  set plan_cache_mode = force_custom_plan;
alter function public.knowledge_text_candidates(text, uuid[], integer, uuid[], jsonb)
  set plan_cache_mode = force_custom_plan;
