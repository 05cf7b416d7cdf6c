CREATE TABLE "drawings" (
	"id" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"kind" text NOT NULL,
	"points" jsonb NOT NULL,
	"text" text,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "drawings_symbol_idx" ON "drawings" USING btree ("symbol");