ALTER TABLE `ingest_jobs` ADD `model_name` text;--> statement-breakpoint
ALTER TABLE `ingest_jobs` ADD `tracking` text;