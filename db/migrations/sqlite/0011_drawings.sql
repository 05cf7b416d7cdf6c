CREATE TABLE `drawings` (
	`id` text PRIMARY KEY NOT NULL,
	`symbol` text NOT NULL,
	`kind` text NOT NULL,
	`points` text NOT NULL,
	`text` text,
	`version` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `drawings_symbol_idx` ON `drawings` (`symbol`);