CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` integer NOT NULL,
	`severity` text NOT NULL,
	`source` text NOT NULL,
	`message` text NOT NULL,
	`details` text,
	`acknowledged_at` integer
);
--> statement-breakpoint
CREATE INDEX `alerts_created_at_idx` ON `alerts` (`created_at`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `backfill_checkpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`symbol` text NOT NULL,
	`timeframe` text NOT NULL,
	`range_from` integer NOT NULL,
	`range_to` integer NOT NULL,
	`resume_from` integer NOT NULL,
	`rows_written` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`job_run_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `backfill_checkpoints_symbol_timeframe_idx` ON `backfill_checkpoints` (`symbol`,`timeframe`);--> statement-breakpoint
CREATE TABLE `backups` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`path` text NOT NULL,
	`size_bytes` integer,
	`sha256` text,
	`schema_version` text NOT NULL,
	`app_version` text NOT NULL,
	`encrypted` integer DEFAULT false NOT NULL,
	`manifest` text,
	`verified_at` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `backups_created_at_idx` ON `backups` (`created_at`);--> statement-breakpoint
CREATE TABLE `feature_store` (
	`symbol` text NOT NULL,
	`timeframe` text NOT NULL,
	`feature_set_version` text NOT NULL,
	`time` integer NOT NULL,
	`features` text NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`symbol`, `timeframe`, `feature_set_version`, `time`)
);
--> statement-breakpoint
CREATE TABLE `ingest_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`provider` text,
	`symbols` text DEFAULT '[]' NOT NULL,
	`timeframe` text,
	`schedule` text,
	`enabled` integer DEFAULT true NOT NULL,
	`retry_policy` text,
	`timeout_ms` integer,
	`depends_on` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `instruments` (
	`symbol` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`unit` text NOT NULL,
	`currency` text NOT NULL,
	`provider_symbols` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`description` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`rows` integer DEFAULT 0 NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `job_runs_started_at_idx` ON `job_runs` (`started_at`);--> statement-breakpoint
CREATE INDEX `job_runs_kind_started_at_idx` ON `job_runs` (`kind`,`started_at`);--> statement-breakpoint
CREATE INDEX `job_runs_status_idx` ON `job_runs` (`status`);--> statement-breakpoint
-- WITHOUT ROWID added by hand (drizzle-kit cannot express it): see schema.sqlite.ts.
CREATE TABLE `market_data` (
	`symbol` text NOT NULL,
	`timeframe` text NOT NULL,
	`time` integer NOT NULL,
	`open` real NOT NULL,
	`high` real NOT NULL,
	`low` real NOT NULL,
	`close` real NOT NULL,
	`volume` real NOT NULL,
	`source` text NOT NULL,
	`ingested_at` integer NOT NULL,
	PRIMARY KEY(`symbol`, `timeframe`, `time`)
) WITHOUT ROWID;
--> statement-breakpoint
-- WITHOUT ROWID added by hand (drizzle-kit cannot express it): see schema.sqlite.ts.
CREATE TABLE `market_data_rollup` (
	`symbol` text NOT NULL,
	`base_timeframe` text NOT NULL,
	`timeframe` text NOT NULL,
	`time` integer NOT NULL,
	`open` real NOT NULL,
	`high` real NOT NULL,
	`low` real NOT NULL,
	`close` real NOT NULL,
	`volume` real NOT NULL,
	PRIMARY KEY(`symbol`, `base_timeframe`, `timeframe`, `time`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `model_performance` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model_id` text NOT NULL,
	`symbol` text NOT NULL,
	`timeframe` text NOT NULL,
	`evaluated_at` integer NOT NULL,
	`window_from` integer NOT NULL,
	`window_to` integer NOT NULL,
	`samples` integer NOT NULL,
	`mae` real,
	`rmse` real,
	`mape` real,
	`directional_accuracy` real,
	`mase` real,
	`naive_mae` real,
	FOREIGN KEY (`model_id`) REFERENCES `model_registry`(`model_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `model_performance_model_evaluated_idx` ON `model_performance` (`model_id`,`evaluated_at`);--> statement-breakpoint
CREATE TABLE `model_registry` (
	`model_id` text PRIMARY KEY NOT NULL,
	`model_name` text NOT NULL,
	`model_type` text NOT NULL,
	`version` integer NOT NULL,
	`symbol` text NOT NULL,
	`timeframe` text NOT NULL,
	`training_date` integer NOT NULL,
	`metrics` text NOT NULL,
	`hyperparameters` text NOT NULL,
	`feature_columns` text NOT NULL,
	`feature_set_version` text NOT NULL,
	`data_from` integer NOT NULL,
	`data_to` integer NOT NULL,
	`artifact_path` text NOT NULL,
	`artifact_sha256` text NOT NULL,
	`backend` text NOT NULL,
	`stage` text DEFAULT 'candidate' NOT NULL,
	`is_active` integer DEFAULT false NOT NULL,
	`training_run_id` text,
	FOREIGN KEY (`training_run_id`) REFERENCES `training_runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_registry_name_symbol_version_idx` ON `model_registry` (`model_name`,`symbol`,`version`);--> statement-breakpoint
CREATE UNIQUE INDEX `model_registry_one_active_idx` ON `model_registry` (`model_name`,`symbol`) WHERE "model_registry"."is_active" = 1;--> statement-breakpoint
CREATE TABLE `news` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`provider_id` text NOT NULL,
	`published_at` integer NOT NULL,
	`title` text NOT NULL,
	`url` text NOT NULL,
	`tickers` text DEFAULT '[]' NOT NULL,
	`publisher` text,
	`sentiment` real
);
--> statement-breakpoint
CREATE UNIQUE INDEX `news_provider_provider_id_idx` ON `news` (`provider`,`provider_id`);--> statement-breakpoint
CREATE INDEX `news_published_at_idx` ON `news` (`published_at`);--> statement-breakpoint
CREATE TABLE `precious_metals_prices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`metal` text NOT NULL,
	`price` real NOT NULL,
	`timestamp` integer NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `precious_metals_prices_metal_source_timestamp_idx` ON `precious_metals_prices` (`metal`,`source`,`timestamp`);--> statement-breakpoint
CREATE INDEX `precious_metals_prices_timestamp_idx` ON `precious_metals_prices` (`timestamp`);--> statement-breakpoint
CREATE TABLE `predictions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model_id` text NOT NULL,
	`symbol` text NOT NULL,
	`timeframe` text NOT NULL,
	`made_at` integer NOT NULL,
	`target_time` integer NOT NULL,
	`horizon` integer NOT NULL,
	`predicted` real NOT NULL,
	`lower` real,
	`upper` real,
	`interval_level` real,
	`actual` real,
	`scored_at` integer,
	FOREIGN KEY (`model_id`) REFERENCES `model_registry`(`model_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `predictions_model_target_idx` ON `predictions` (`model_id`,`symbol`,`timeframe`,`made_at`,`horizon`);--> statement-breakpoint
CREATE INDEX `predictions_symbol_target_idx` ON `predictions` (`symbol`,`timeframe`,`target_time`);--> statement-breakpoint
CREATE TABLE `training_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`model_name` text NOT NULL,
	`model_type` text NOT NULL,
	`symbols` text NOT NULL,
	`timeframe` text NOT NULL,
	`target` text NOT NULL,
	`horizon` integer NOT NULL,
	`data_from` integer NOT NULL,
	`data_to` integer NOT NULL,
	`hyperparameters` text NOT NULL,
	`feature_set_version` text NOT NULL,
	`backend` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`epochs` integer DEFAULT 0 NOT NULL,
	`loss_history` text DEFAULT '[]' NOT NULL,
	`metrics` text,
	`error` text,
	`job_run_id` text
);
--> statement-breakpoint
CREATE INDEX `training_runs_started_at_idx` ON `training_runs` (`started_at`);--> statement-breakpoint
CREATE VIEW `latest_12_hour_prices` AS select "id", "metal", "price", "timestamp", "source" from "precious_metals_prices" where "precious_metals_prices"."timestamp" >= unixepoch('subsec') * 1000 - 43200000;