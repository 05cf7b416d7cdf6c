ALTER TABLE "instruments" ADD COLUMN "exchange_time_zone" text;--> statement-breakpoint
-- Data migration (added by hand): the built-in COMEX and NYMEX futures and NYSE and Nasdaq listings keep New York time.
-- Only rows still as the catalogue made them: one the user renamed or re-described may no longer be that listing.
UPDATE instruments SET exchange_time_zone = 'America/New_York'
WHERE deleted_at IS NULL AND (symbol, name, kind, unit, currency) IN (VALUES
  ('GC=F', 'Gold futures (COMEX, front month)', 'future', 'USD per troy ounce', 'USD'),
  ('SI=F', 'Silver futures (COMEX, front month)', 'future', 'USD per troy ounce', 'USD'),
  ('PL=F', 'Platinum futures (NYMEX, front month)', 'future', 'USD per troy ounce', 'USD'),
  ('PA=F', 'Palladium futures (NYMEX, front month)', 'future', 'USD per troy ounce', 'USD'),
  ('AAPL', 'Apple Inc.', 'stock', 'USD per share', 'USD'),
  ('GLD', 'SPDR Gold Shares', 'etf', 'USD per share', 'USD'),
  ('SLV', 'iShares Silver Trust', 'etf', 'USD per share', 'USD'));
