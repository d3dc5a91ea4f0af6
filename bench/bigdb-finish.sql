-- bench/bigdb.sh: a year of work on the runs `load seed-big` made, in plain SQL (the same
-- on SQLite 3.33+ and PostgreSQL): runs whose id ends in 0-7 finished (every step
-- COMPLETE, every field filled), in 8 half done, in 9 not started.
UPDATE run_steps SET status = 'COMPLETE', started_at = r.created_at, completed_at = r.created_at
  FROM runs r WHERE r.id = run_steps.run_id AND r.id % 10 < 8;
UPDATE run_step_fields SET value = '42', updated_at = r.created_at
  FROM runs r WHERE r.id = run_step_fields.run_id AND r.id % 10 < 8;
UPDATE run_steps SET
    status = CASE WHEN run_steps.position < 100 THEN 'COMPLETE' WHEN run_steps.position = 100 THEN 'IN_PROGRESS' ELSE 'TODO' END,
    started_at = CASE WHEN run_steps.position <= 100 THEN r.created_at END,
    completed_at = CASE WHEN run_steps.position < 100 THEN r.created_at END
  FROM runs r WHERE r.id = run_steps.run_id AND r.id % 10 = 8;
UPDATE runs SET status = 'COMPLETE', started_at = created_at, completed_at = created_at WHERE id % 10 < 8;
UPDATE runs SET status = 'IN_PROGRESS', started_at = created_at WHERE id % 10 = 8;
