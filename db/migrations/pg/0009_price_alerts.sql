CREATE TABLE "price_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"condition" jsonb NOT NULL,
	"rearm" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"note" text,
	"state" text NOT NULL,
	"beyond" boolean,
	"last_bar_time" bigint,
	"last_fired_at" bigint,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "price_alerts_symbol_idx" ON "price_alerts" USING btree ("symbol");