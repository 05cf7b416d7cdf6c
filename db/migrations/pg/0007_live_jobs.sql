ALTER TABLE "ingest_jobs" ADD COLUMN "model_name" text;--> statement-breakpoint
ALTER TABLE "ingest_jobs" ADD COLUMN "tracking" jsonb;