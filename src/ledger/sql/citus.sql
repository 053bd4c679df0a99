-- Distribute the ledger on Citus (docs/scale-out.md). Run once on the coordinator after
-- `fundguard ledger apply --db …` (or fg_ledger_pg_open) has created the tables, before loading.
-- The ledger is distributed by code hash; the history is colocated with it, so every statement of
-- a batch touches one shard per code and the coordinator runs them on the workers in parallel.
SELECT create_distributed_table('fg_ledger_code', 'code', shard_count => 64);
SELECT create_distributed_table('fg_ledger_event', 'code', colocate_with => 'fg_ledger_code');
SELECT create_reference_table('fg_ledger_inst');
