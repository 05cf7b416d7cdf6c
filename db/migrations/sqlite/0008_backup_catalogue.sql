CREATE TABLE `backup_drills` (
	`id` text PRIMARY KEY NOT NULL,
	`backup_id` text NOT NULL,
	`at` integer NOT NULL,
	`ok` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`checks` text NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `backup_drills_at_idx` ON `backup_drills` (`at`);--> statement-breakpoint
CREATE TABLE `restores` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`restored_from` text NOT NULL,
	`safety_backup_id` text,
	`database` text NOT NULL,
	`tables` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `restores_finished_at_idx` ON `restores` (`finished_at`);--> statement-breakpoint
ALTER TABLE `backups` ADD `pinned` integer DEFAULT false NOT NULL;