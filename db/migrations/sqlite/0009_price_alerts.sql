CREATE TABLE `price_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`symbol` text NOT NULL,
	`timeframe` text NOT NULL,
	`condition` text NOT NULL,
	`rearm` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`note` text,
	`state` text NOT NULL,
	`beyond` integer,
	`last_bar_time` integer,
	`last_fired_at` integer,
	`version` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `price_alerts_symbol_idx` ON `price_alerts` (`symbol`);