-- Runs once when the TimescaleDB container creates its database. Metalytics creates its
-- own tables with its migrations at start-up; this only makes the extension available
-- so the app finds it and turns market_data into a hypertable.
CREATE EXTENSION IF NOT EXISTS timescaledb;
