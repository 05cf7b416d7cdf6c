ALTER TABLE "ingest_jobs" ADD COLUMN "name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_jobs" ADD COLUMN "timezone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_jobs" ADD COLUMN "lookback_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "ingest_job_id" text;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "heartbeat_at" bigint;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "details" jsonb;--> statement-breakpoint
CREATE INDEX "job_runs_ingest_job_started_at_idx" ON "job_runs" USING btree ("ingest_job_id","started_at");