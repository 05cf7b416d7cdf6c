ALTER TABLE `ingest_jobs` ADD `name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `ingest_jobs` ADD `timezone` text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE `ingest_jobs` ADD `lookback_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `ingest_job_id` text;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `heartbeat_at` integer;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `details` text;--> statement-breakpoint
CREATE INDEX `job_runs_ingest_job_started_at_idx` ON `job_runs` (`ingest_job_id`,`started_at`);