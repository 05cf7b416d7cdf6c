CREATE TABLE "provider_plan_depth" (
	"provider" text NOT NULL,
	"key_fingerprint" text NOT NULL,
	"timeframe" text NOT NULL,
	"history_start" bigint NOT NULL,
	"learned_at" bigint NOT NULL,
	CONSTRAINT "provider_plan_depth_provider_key_fingerprint_timeframe_pk" PRIMARY KEY("provider","key_fingerprint","timeframe")
);
