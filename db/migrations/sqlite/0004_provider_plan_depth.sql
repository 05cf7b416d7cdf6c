CREATE TABLE `provider_plan_depth` (
	`provider` text NOT NULL,
	`key_fingerprint` text NOT NULL,
	`timeframe` text NOT NULL,
	`history_start` integer NOT NULL,
	`learned_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `key_fingerprint`, `timeframe`)
);
