-- messages reference indexes: the two keys from messages to rows that can be deleted — the run
-- that wrote a reply (execution_id) and the person who sent one (sent_by), both `on delete set
-- null` — get an index each, so deleting a run or a user finds its messages instead of reading
-- every partition.
--
-- Without them each deleted run or user made Postgres scan all of messages to clear the key: at
-- 10 million messages, 2.6 s per run and 1.9 s per user, so removing a company with 310 runs took
-- over ten minutes (found when a benchmark's clean-up never ended), and deleting a user from Auth
-- held its transaction as long. Partial: only replies carry either key, so inbound messages, most
-- of the table, add nothing to them.
--
-- Built on each monthly partition in this transaction (a partitioned table takes no CONCURRENTLY):
-- writes to messages wait while it reads the partitions once.

create index messages_execution_id_idx on public.messages (execution_id) where execution_id is not null;
create index messages_sent_by_idx on public.messages (sent_by) where sent_by is not null;
