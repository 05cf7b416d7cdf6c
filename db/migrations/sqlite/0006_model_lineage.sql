CREATE TABLE `model_stage_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model_id` text NOT NULL,
	`at` integer NOT NULL,
	`from_stage` text,
	`to_stage` text NOT NULL,
	`reason` text NOT NULL,
	FOREIGN KEY (`model_id`) REFERENCES `model_registry`(`model_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `model_stage_history_model_at_idx` ON `model_stage_history` (`model_id`,`at`);--> statement-breakpoint
CREATE INDEX `model_stage_history_at_idx` ON `model_stage_history` (`at`);--> statement-breakpoint
ALTER TABLE `model_registry` ADD `data_fingerprint` text;--> statement-breakpoint
ALTER TABLE `model_registry` ADD `app_version` text;--> statement-breakpoint
ALTER TABLE `model_registry` ADD `horizon` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `model_registry` ADD `interval_level` real;--> statement-breakpoint
ALTER TABLE `model_registry` ADD `training_segment` text;--> statement-breakpoint
ALTER TABLE `model_registry` ADD `evaluation_segment` text;--> statement-breakpoint
ALTER TABLE `model_registry` ADD `baselines` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `model_registry` ADD `test_forecasts` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `model_registry` ADD `flagged` text;--> statement-breakpoint
ALTER TABLE `predictions` ADD `naive` real;--> statement-breakpoint
ALTER TABLE `predictions` ADD `ood_score` real;--> statement-breakpoint
ALTER TABLE `predictions` ADD `out_of_distribution` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `predictions` ADD `features` text;--> statement-breakpoint
ALTER TABLE `training_runs` ADD `samples` integer;