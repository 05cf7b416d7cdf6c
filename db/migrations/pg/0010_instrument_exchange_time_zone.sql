ALTER TABLE "instruments" ADD COLUMN "exchange_time_zone" text;--> statement-breakpoint
-- The built-in instruments that trade on an exchange: COMEX and NYMEX futures, NYSE and Nasdaq listings, all on New York time.
UPDATE instruments SET exchange_time_zone = 'America/New_York' WHERE symbol IN ('GC=F', 'SI=F', 'PL=F', 'PA=F', 'AAPL', 'GLD', 'SLV');
