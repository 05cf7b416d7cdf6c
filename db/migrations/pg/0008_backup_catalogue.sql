CREATE TABLE "backup_drills" (
	"id" text PRIMARY KEY NOT NULL,
	"backup_id" text NOT NULL,
	"at" bigint NOT NULL,
	"ok" boolean NOT NULL,
	"duration_ms" bigint NOT NULL,
	"checks" jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "restores" (
	"id" text PRIMARY KEY NOT NULL,
	"started_at" bigint NOT NULL,
	"finished_at" bigint NOT NULL,
	"restored_from" text NOT NULL,
	"safety_backup_id" text,
	"database" text NOT NULL,
	"tables" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "pinned" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "backup_drills_at_idx" ON "backup_drills" USING btree ("at");--> statement-breakpoint
CREATE INDEX "restores_finished_at_idx" ON "restores" USING btree ("finished_at");