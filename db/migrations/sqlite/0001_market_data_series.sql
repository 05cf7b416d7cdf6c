CREATE TABLE `market_data_series` (
	`symbol` text NOT NULL,
	`timeframe` text NOT NULL,
	`source` text NOT NULL,
	`first_time` integer NOT NULL,
	`last_time` integer NOT NULL,
	`bar_count` integer NOT NULL,
	PRIMARY KEY(`symbol`, `timeframe`, `source`)
);
--> statement-breakpoint
-- Data migration (added by hand): summarise bars stored before this table existed.
INSERT INTO market_data_series (symbol, timeframe, source, first_time, last_time, bar_count)
SELECT symbol, timeframe, source, min(time), max(time), count(*) FROM market_data GROUP BY symbol, timeframe, source;
