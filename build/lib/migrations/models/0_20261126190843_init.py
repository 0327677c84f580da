"""Initial schema: databases, snapshots, operations, events, webhooks, API keys.

aerich writes dialect-specific SQL, so this migration carries one script per dialect
and picks the one matching the connection it runs on.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        CREATE TABLE IF NOT EXISTS "api_keys" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "key_hash" VARCHAR(64) NOT NULL UNIQUE,
    "created_at" TIMESTAMP NOT NULL
) /* An API key; only its SHA-256 hash is stored. */;
CREATE TABLE IF NOT EXISTS "databases" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(63) NOT NULL UNIQUE,
    "engine" VARCHAR(32) NOT NULL,
    "version" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "error" TEXT,
    "host" VARCHAR(64) NOT NULL,
    "port" INT,
    "username" VARCHAR(63) NOT NULL,
    "password" VARCHAR(128) NOT NULL,
    "database_name" VARCHAR(63) NOT NULL,
    "description" TEXT NOT NULL,
    "memory_bytes" BIGINT,
    "cpus" REAL,
    "snapshot_id" VARCHAR(32),
    "volume" VARCHAR(128) NOT NULL,
    "container_id" VARCHAR(80),
    "locked_by" VARCHAR(32),
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "parent_id" VARCHAR(32) REFERENCES "databases" ("id") ON DELETE RESTRICT,
    CONSTRAINT "uid_databases_host_e35d36" UNIQUE ("host", "port")
) /* A database server in a container; a branch is a Database with a parent. */;
CREATE TABLE IF NOT EXISTS "events" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "event" VARCHAR(64) NOT NULL,
    "database_id" VARCHAR(32),
    "payload" JSON NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "dispatched_at" TIMESTAMP
) /* The outbox: one row per lifecycle event, written with the change that caused it. */;
CREATE INDEX IF NOT EXISTS "idx_events_dispatc_4809cc" ON "events" ("dispatched_at");
CREATE TABLE IF NOT EXISTS "operations" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "kind" VARCHAR(32) NOT NULL,
    "database_id" VARCHAR(32),
    "owner" VARCHAR(128),
    "status" VARCHAR(16) NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMP NOT NULL,
    "finished_at" TIMESTAMP
) /* One mutating action, kept with its outcome after it finishes. */;
CREATE TABLE IF NOT EXISTS "rate_counters" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "key_id" VARCHAR(32) NOT NULL,
    "bucket" VARCHAR(16) NOT NULL,
    "window_start" BIGINT NOT NULL,
    "count" INT NOT NULL,
    CONSTRAINT "uid_rate_counte_key_id_7f0b36" UNIQUE ("key_id", "bucket", "window_start")
) /* Requests one API key made in one budget during one fixed window. */;
CREATE TABLE IF NOT EXISTS "snapshots" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(63) NOT NULL,
    "description" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "volume" VARCHAR(128) NOT NULL,
    "created_for" VARCHAR(32),
    "size_bytes" BIGINT,
    "unique_bytes" BIGINT,
    "created_at" TIMESTAMP NOT NULL,
    "database_id" VARCHAR(32) NOT NULL REFERENCES "databases" ("id") ON DELETE RESTRICT,
    CONSTRAINT "uid_snapshots_databas_ad91e1" UNIQUE ("database_id", "name")
) /* A point-in-time, read-only image of a database's data. */;
CREATE TABLE IF NOT EXISTS "webhooks" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "url" VARCHAR(2048) NOT NULL,
    "events" JSON NOT NULL,
    "secret" VARCHAR(256) NOT NULL,
    "active" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
) /* A receiver subscribed to lifecycle events; its secret signs every delivery. */;
CREATE TABLE IF NOT EXISTS "webhook_deliveries" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "event_id" BIGINT,
    "event" VARCHAR(64) NOT NULL,
    "body" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "response_code" INT,
    "last_error" TEXT,
    "duration_ms" REAL,
    "next_attempt_at" TIMESTAMP,
    "locked_until" TIMESTAMP,
    "claimed_by" VARCHAR(64),
    "created_at" TIMESTAMP NOT NULL,
    "delivered_at" TIMESTAMP,
    "webhook_id" VARCHAR(32) NOT NULL REFERENCES "webhooks" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_webhook_del_webhook_606fba" UNIQUE ("webhook_id", "event_id")
) /* One event for one webhook, with the outcome of its latest attempt. */;
CREATE INDEX IF NOT EXISTS "idx_webhook_del_status_5365ad" ON "webhook_deliveries" ("status");
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""

POSTGRES = """
        CREATE TABLE IF NOT EXISTS "api_keys" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "key_hash" VARCHAR(64) NOT NULL UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "api_keys" IS 'An API key; only its SHA-256 hash is stored.';
CREATE TABLE IF NOT EXISTS "databases" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(63) NOT NULL UNIQUE,
    "engine" VARCHAR(32) NOT NULL,
    "version" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "error" TEXT,
    "host" VARCHAR(64) NOT NULL,
    "port" INT,
    "username" VARCHAR(63) NOT NULL,
    "password" VARCHAR(128) NOT NULL,
    "database_name" VARCHAR(63) NOT NULL,
    "description" TEXT NOT NULL,
    "memory_bytes" BIGINT,
    "cpus" DOUBLE PRECISION,
    "snapshot_id" VARCHAR(32),
    "volume" VARCHAR(128) NOT NULL,
    "container_id" VARCHAR(80),
    "locked_by" VARCHAR(32),
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "parent_id" VARCHAR(32) REFERENCES "databases" ("id") ON DELETE RESTRICT,
    CONSTRAINT "uid_databases_host_e35d36" UNIQUE ("host", "port")
);
COMMENT ON TABLE "databases" IS 'A database server in a container; a branch is a Database with a parent.';
CREATE TABLE IF NOT EXISTS "events" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event" VARCHAR(64) NOT NULL,
    "database_id" VARCHAR(32),
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "dispatched_at" TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS "idx_events_dispatc_4809cc" ON "events" ("dispatched_at");
COMMENT ON TABLE "events" IS 'The outbox: one row per lifecycle event, written with the change that caused it.';
CREATE TABLE IF NOT EXISTS "operations" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "kind" VARCHAR(32) NOT NULL,
    "database_id" VARCHAR(32),
    "owner" VARCHAR(128),
    "status" VARCHAR(16) NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "finished_at" TIMESTAMPTZ
);
COMMENT ON TABLE "operations" IS 'One mutating action, kept with its outcome after it finishes.';
CREATE TABLE IF NOT EXISTS "rate_counters" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "key_id" VARCHAR(32) NOT NULL,
    "bucket" VARCHAR(16) NOT NULL,
    "window_start" BIGINT NOT NULL,
    "count" INT NOT NULL,
    CONSTRAINT "uid_rate_counte_key_id_7f0b36" UNIQUE ("key_id", "bucket", "window_start")
);
COMMENT ON TABLE "rate_counters" IS 'Requests one API key made in one budget during one fixed window.';
CREATE TABLE IF NOT EXISTS "snapshots" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(63) NOT NULL,
    "description" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "volume" VARCHAR(128) NOT NULL,
    "created_for" VARCHAR(32),
    "size_bytes" BIGINT,
    "unique_bytes" BIGINT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "database_id" VARCHAR(32) NOT NULL REFERENCES "databases" ("id") ON DELETE RESTRICT,
    CONSTRAINT "uid_snapshots_databas_ad91e1" UNIQUE ("database_id", "name")
);
COMMENT ON TABLE "snapshots" IS 'A point-in-time, read-only image of a database''s data.';
CREATE TABLE IF NOT EXISTS "webhooks" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "url" VARCHAR(2048) NOT NULL,
    "events" JSONB NOT NULL,
    "secret" VARCHAR(256) NOT NULL,
    "active" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "webhooks" IS 'A receiver subscribed to lifecycle events; its secret signs every delivery.';
CREATE TABLE IF NOT EXISTS "webhook_deliveries" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "event_id" BIGINT,
    "event" VARCHAR(64) NOT NULL,
    "body" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "response_code" INT,
    "last_error" TEXT,
    "duration_ms" DOUBLE PRECISION,
    "next_attempt_at" TIMESTAMPTZ,
    "locked_until" TIMESTAMPTZ,
    "claimed_by" VARCHAR(64),
    "created_at" TIMESTAMPTZ NOT NULL,
    "delivered_at" TIMESTAMPTZ,
    "webhook_id" VARCHAR(32) NOT NULL REFERENCES "webhooks" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_webhook_del_webhook_606fba" UNIQUE ("webhook_id", "event_id")
);
CREATE INDEX IF NOT EXISTS "idx_webhook_del_status_5365ad" ON "webhook_deliveries" ("status");
COMMENT ON TABLE "webhook_deliveries" IS 'One event for one webhook, with the outcome of its latest attempt.';
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "snapshots";
        DROP TABLE IF EXISTS "operations";
        DROP TABLE IF EXISTS "databases";
        DROP TABLE IF EXISTS "api_keys";"""


MODELS_STATE = (
    "eJztXVtz27YS/isYvdSZUTK2fD3Nk+wojRrHytjqZdp0GIiEJI4ogCXByDo9/u8HAO8kyJ"
    "CyJFMsnmwBWBD6drXYXSyW/3SWxECW+6Zvmx/RuvMj+KeD4RKxfzI9XdCBth238wYKJ5YY"
    "Cm1TW6C1aIQTlzpQp6x9Ci0XsSYDubpj2tQkmI/uY9D/PASM4C0g2FoDk7rg4UP/de/8As"
    "yhOwemC1xKHGS84TMaRGdTmni2CbGHzb89pFEyQ3SOHDbFn3+xZhMb6BG54Ud7oU1NZBkp"
    "AEyDTyDaNbq2RdvNHDrvxUi+sImmE8tb4ni0vaZzgqPhbN28dYYwciBFRgIU7FlWgF/Y5K"
    "+VNVDHQ9EijbjBQFPoWRxaTu2vIG7raNrdaKw9DMaa1snBHlIkwAyadII5y0xMXfH9l/BR"
    "sxCe0Tn7eNp78p8T4+CP4g/8tX9/86F/f3Tae8UfSBjffYG4C3p6outJTAEp9CcRqMcwi7"
    "81gA7HbwfqsCHGOpbavYN9cnxcAW02qhBu0cfxjvG1HTQ1H+sgHFO0EeOLKhBfFCN8kQWY"
    "6SKNa546ECdpWqczLs4qQHxxVggx70pDrDuIQ6FBmgf5Heuh5hLJgU5TZqA2AtI34T+HKN"
    "3sCxojthMGLC+Bfjz8NHgY9z995o9buu7flsCvPx7wnp5oXWdaj7K/hGgS8Ntw/AHwj+CP"
    "0d1AwEtcOnPEE+Nx4z86fE3Qo0TDZKVBIyGdYWuI2hPfjaeLxEbBGyZQX6ygY2i5HtIjRW"
    "PzXcveMtsCMZwJnnFw+TIDq4cJFZxAF8ksoqiv1CYyglFVjSIQEgAXOd+QA0wMIGDMpozV"
    "yHnLPkwciHVh4EAQLgKsTDpnn23oIEwl9tL25pWYUn925ozlPusd2vlLmVbKtGoi1BenVX"
    "ak0+Id6TS7I7GZ2c+nDrgxRQutqm3JcgwwU1UuX1INhBMkCuIKELsUUs+tg3BM0UKAt+8Z"
    "IMchTh7fMXqkBToiJNgI3kC/NgXdMkt08Ps4ZYSGKB596v/+KmWI3o7ufgqHJ1C/uR1dZ9"
    "AOTZGqwhyZLnsT5Y5FdGh19rPlbd0JEyZeDt8hLpDlcHgGXrbawxNltlz253Xv5Ozy7Or0"
    "4uyKDRHrjFouS9Ae3o0zUHrMFq9rnCVpWqh9t2+i2dB1V8Sp5WokaVoI8knvqsoe17sq3u"
    "R4Xxrn0MHU6kp0jrCFiG9frJPLqmFaZMj2uOntar/bt32xREvirLXJmiKJ0Xxtzgq3wixl"
    "i7bE//R6p6eXvePTi6vzs8vL86vjaG/Md5VtktfDn/g+meJCfuPUbZnD8t4isAD6kCAD+Z"
    "RTHB7oJfi9G/1yfTsAn+8HN8OH4eguHc0VnbyJNZhUQHA/6N9mHUIMbXdOqFYvPpcha4Pv"
    "svPoBgev1mYZU7Rwl9yJXRLFuGuKc5auffJ8VeWY+ar4lPkqd8jMHNsFMtgOVwfoFFH7UN"
    "6+1lDHoMXQt+sYNBUssI0NuZ6mVFxvCtdDjBJsD1afjF7wg9eaW1eKSGlUuUbNpRhkQZc4"
    "GMRB5gx/RGuB+5CtEWJdZo1JcgQOC/GnUKbC1niJDlxFZ/lpUWMAsK+NQsfiYXw/vGGuW3"
    "HuRmJPm5uWwaaSeNQB5fuP98iCBYGL1uItdcxkcYcaKD0E0xygpi+EaZdZQINvSDwolwLk"
    "d3TL8n8QH1Ix+Wc8R4B4dEIefwQEI+CQFbCRAyxzivQ1U2NAzNYFK8ekFGE/OYcyKn0O8Q"
    "yxfyEFOvRcZABTkgW0iwdsObO6LH4m3c8kUbPgp93cpJQ9xsyKs4LQN+keV5K5EhK0MPKw"
    "/WPS6FSjnumWIVPG2/fdYRuuLQIlKP/8MLorMpAjkqw7ZOoU/I9pRPeAt0cZtByM8rOQ7L"
    "FHN+3M8AmyZyEqElEs9Yfpk1aJRBima0OqzzdifI54C7z/vsLb5/Z+IJyWRB8alXs/sjnL"
    "fexzlnfcWWp9k3BYRQt8xIzipUcZCZ4BNpI1d8EC2dS3hPklQ2Y/62SJAJxSnkVPwdTEpj"
    "tHbt7cfvZs6tZiM2yNYiN6wb5mHaDD8S00obdv2CkTel9IkxVDow7GEUH70N3JIbTKsVc5"
    "9i3KsVd+X7Ggt9fvC2zTTdieId2Lz9eYX2CD2Nx0p++eMfyGeJgKbyfn9iW7u2WOHxccJn"
    "5iZEXf7x4xQXK5T8bctqC4DFhCA/Gr0rxt4hnMDwOGxwVBtExNJmnMmcMGWeXdv21MKL1s"
    "zatG+LbtxNMXSPyifBqNWQ3PvYD9bzl+eeYtnhKfMGJPZa8womihrbd9byWW+qoAxxQtBH"
    "j7xnRKmeRgLjuizVJudMWhcXC/zB0HvnvVUM/R+P1hftxgDd0QgybKtZFYM8k8nGJTJpX0"
    "U6WCjE0Yjq9N/Jpb0l3A/ZHXfo28JVsjIFMAo2owP7jiX1nBmE2nkZosRiIxS6CgasQ0K5"
    "Ctyu+pu5rtu6upwq47thTVBbY9XGALQqZTWYC75P5amqwNYe6dV0Iy/4s2udidplPXujd1"
    "eQLTcQMOZCkVDzZ2O9XRzr/waOcFUy0ax+X93jVLesb7u23WNNCrXjfLCFztC2e7DPX8hi"
    "ZzQhYdSaQn7OqWBXpW/qDKcR4H6cjkpXxdb8K7JsgAlGQv87hvRaKhi5h6psBlAuXyDmcN"
    "2AI4+VoW/Nnq3CqNsQk6qFsS/fEcqw7OwfAWqvve8VkVD44PK4Tb78ykJ0XXAKteUYkp1A"
    "2VZ9xQ8XVTrQhQRNFG+T6vEgJio4ql+zwXBOKp7d8kBsw1IRaCWA5zTJSBecKodoVzqMP3"
    "K9jXo9FtSrCvh9nY5S+frgf3RycC9bg2l/LOlHcm9ltV+qVlXJfk4UVlDCqeWiePl4SxbU"
    "qDZjXqQgReyrvAdj9AaXiR8hBZ2Ir9vySy3/UDtTRbq11eE1YjmBJHpBMGM3XjOg7hfTMy"
    "FZ4bkwjkUgApRUtbUjDi+VN+wV9wP6T6wQ1mi78amBE+A0+J/Cr6mGf/FRz5VSpeAeIY/s"
    "tpxKShV8nf8Acw+YJDijfga1BFzsPUtL7yl9jwtTHzwxUr4x9WxFlwjxZhg+dbmpRNUZJl"
    "uYp99vAxKmuhYX5rxJi83is5LEhSqYOCTQ8KVP2QndYPmRBDUkWzOFkkHN8KcFWeyEvq7e"
    "2niQTWgAThQiWdJFEZrVnly7wMmz2B33ExJJGXQlRzdC3a/7YGrgVdqtW+UJqmakO6zb61"
    "sOH5xTq0Zb3i/hk6VeO/Qo1/zORYC3TsBnElCbm609mcWFI+hJh0j+syO0urON1kTusWZD"
    "yoW4Q/TdWG3Uu9jFwF5ev9vColyvkhyM1K32VolR5tsh4Nw/D1QrlpqlYEY/acEJmIuz8z"
    "HzKRdXdgkFdNh0xLWyob8qb/cNN/N3ipZMg+ckx93pGchQU93bIjMBiP+d6xVzGmW047VH"
    "UxnlkXQ73KPZeMdV4pGeu8JBnrPBdqZT+qGggHw1uI7slxldebsVHFcezj3AvO+EvhpMde"
    "xYmcCRKVyVkzk/NFizg8/R8Hn2TL"
)
