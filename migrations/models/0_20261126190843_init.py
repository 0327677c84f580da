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
    "created_at" TIMESTAMP NOT NULL,
    "last_used_at" TIMESTAMP
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
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_used_at" TIMESTAMPTZ
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
    "eJztXW1z2rgW/isavmw6QzoJeb3bTySlW7Zp6CTsy+x2xxW2AA9G8tpyCXdv//uV5Hdbdm"
    "1iCHj1KUHSkcVzDtJzjo7kfzpLYiDLfd23zQ9o3fkR/NPBcInYP5maLuhA247LeQGFE0s0"
    "hbapLdBaFMKJSx2oU1Y+hZaLWJGBXN0xbWoSzFv3Meh/GgIm8AYQbK2BSV3w+L5/3Lu4BH"
    "PozoHpApcSBxmveY8G0VmXJp5tIuxh828PaZTMEJ0jh3Xx51+s2MQGekJu+NFeaFMTWUYK"
    "ANPgHYhyja5tUXY7h8470ZIPbKLpxPKWOG5tr+mc4Kg5GzcvnSGMHEiRkQAFe5YV4BcW+W"
    "NlBdTxUDRIIy4w0BR6FoeWS/sjiMs6mnY/GmuPg7GmdXKwhxIJMIMinWCuMhNTV3z/JXzS"
    "LIRndM4+nvW++c+JcfBb8Qf+2n+4fd9/ODrrveIPJEzvvkHcBzU9UfVNdAEp9DsRqMcwi7"
    "81gA7bNwN1WBBjHVvtzsE+PTmpgDZrVQi3qON4x/jaDpqaT3UQjiXaiPFlFYgvixG+zALM"
    "5iKNzzx1IE7KtG7OuDyvAPHleSHEvCoNse4gDoUGaR7kt6yGmkskBzotmYHaCERfh/8con"
    "WzL2iM2EoYqLwE+vHw4+Bx3P/4iT9u6bp/WwK//njAa3qidJ0pPcr+EqJOwG/D8XvAP4I/"
    "RvcDAS9x6cwRT4zbjf/o8DFBjxINk5UGjYR1hqUhaimtW9ClmudupPesbAOaD4a8L4o/EE"
    "WHmOQ0zXnXdJGgBLxgAvXFCjqGlqshPVLUNl+17C2zJRDDmVASR5OPM+C3zIzgBLpIxn2j"
    "ulL2awStqtJfEAoAFzlfkQNMDCBg2qVMt8h5wz5MHIh1QWUhCAcBViads882dBCmEmbcXL"
    "8S0vxnZ8507uveoZ2/FIlWJHofob48q8I9zoq5x1mWe7Ce2c+nDrixRAv5c1O2HAPMpiqX"
    "D6kGwgkRBXEFiF0KqefWQTiWaCHAzfuAyHGIk8d3jJ5owRwRCmwE7wFR0cHv4xQLDVE8+t"
    "j//VWKid6N7n8KmydQv70b3WTQDqlIVWOOqMvOTLljER1and0seY2724Li5fAd4gJbDptn"
    "4GWjPTxTZsNlf457p+dX59dnl+fXrIkYZ1RyVYL28H6cgZK5oE5dcpaUaeHs2zxFs6Hrro"
    "hTy9VIyrQQ5NPedZU1rnddvMjxujTOoYOp1bXonGALEW/erJPDqkEtMmI7XPS2td7tml8s"
    "0ZI4a22ypkhCmm/MWeFSmJVs0ZL4n17v7Oyqd3J2eX1xfnV1cX0SrY35qrJF8mb4E18nU1"
    "rIL5y6LXNY3lkEFkAfCmQgn3KJwwO9BL+3o19u7gbg08Pgdvg4HN2nw7mikhexApMKCB4G"
    "/busQ4ih7c4J1erF5zJibfBdth7d4ODVWixjiRauklvhJVGMu6Y5Z+XaZ8/XVRIKrovzCa"
    "5z6QTMsV0gg61wdYBOCbUP5eZnDbXhXQx9eze8PdvYUOtpSaX1fdG6ZPc7GH0yesE3Xmsu"
    "XSkhNaPKZ9RcikEWdImDQRxkzvAHtBa4D9kYIdZlbEySI3BYiH8LbSosjYfowFW0l582NQ"
    "YA+9oodCwexw/DW+a6FeduJNa0uWkZrCuJRx1IvvvwgCxYELhoLd5Sx0wWd6iB0mPQzQHO"
    "9IUwbTMLaPAViQflUoD8im5Z/g/iTSom/4znCBCPTsjTj4BgBByyAjZygGVOkb5m0xgQvX"
    "XByjEpRdhPzqFMSp9DPEPsX0iBDnlmGzAlWUDbeEDDOfRl8TPpeiaJmgU/7f1NStlhzKw4"
    "Kwh9la5xJZkroUALIw/Nb5NGuxr1qFtGTJG377vDNlxbBEpQ/vlxdF9EkCORrDtk6hT8j8"
    "2I7gEvjzJoORjleyHZbY9u2pnhHWT3QlQkotjqD9MnrRKJMEzXhlSfb6T4nPBOku93ubwf"
    "iKb3Pfd+ZHOV+9jnmHdcWcq+SdisIgMfMVK89CgTwTPAWrLiLlggm/pMmB8nZfxZJ0sE4J"
    "TyLHoKpiY23Tly83T72b2p86n7wTWKSfSCfc06QIftW0ihmyd2ikKrFPCX2YdWKeAHnaKl"
    "3JJiQ2+vWxJQp03UnhFV54GVTyL1SR6Ywm+Jh6kg4zmvJFld6pdww2HmJ1pWdE0eEDMkl7"
    "sMzKsIbrkBS2ggfpKXl008g7kJwPC4IYiSqcksjfka2CCrvHfSRIfSs8D8+gqfek08fYHE"
    "L8qX0RhreO754H/L7sAzD5mUuCyReio7LZFEC7le82Q6tvqqAMcSLQS4eTKdmkxyMJftIG"
    "YlN8rA3zu4XyYFn69eNabnqP3uMD/Z4xl6TwhNlAoiYTPJNJFiKpPKSalywYlNGI7HJj7m"
    "TLoLuD9y7F/Wt2RjBGQKYHRZyQ+u+Fd2n8mm3Ugpi5HIGxIoqCtM9ivOqu4BVEcJ23eUUI"
    "Vdt8wU1fmqHZyvCkKmU1mAu+R4VVqsDWHure/SmP9Fm5w7TsupU8ebujwBddxAA1lJpYON"
    "3U61tfMv3Np5wUyAvdPybo9CJT3j3R2G2jfQq56Gyhhc7fNQ2wz1/IYmc0IWHUmkJ6zqlg"
    "V6Vn6jynEeB+nI5DfNut6EV02QASjJnjVx34g8OBex6ZkClxmUyyucNWAD4OJrWfCn0b5V"
    "lt0+zEHdkuiP51h1cA6at3C6752cV/HgeLNCuP3KTHpSdEqt6gmKWEIdoHjGAQp/bqoVAY"
    "ok2mjfF1VCQKxVsXVf5IJAPPP6q4TA3BBiIYjlMMdCGZgnTGpbOIdz+G4N+2Y0uksZ9s0w"
    "G7v85ePN4OHoVKAeXx2lvDPlnYn1Vt1M0jKtS/LwolP2FXetk9tLgmyb0qBZjWsLAi/lbc"
    "DdD9AaXuT2gixsxf5fEtnv+oFaWq3VzlYJ1gimxBHphEFP3fiagfA4FJkKz41ZBHIpgJSi"
    "pS25z+D5XX7Gn3E/lPrBDXqLvxqYEd4DT4n8IuqYZ/8FHPmXKLwCxDH8d6eITkOvkr9qEG"
    "DyGYcSr8GX4JIzD1PT+sLfscLHxuiHK0bGP6yIs+AeLcIGz7c0KeuiJMtyFfvs4WNU1sKe"
    "+a2RYvLzXslmQVJKbRRsulGgrrfY6vUWE2JILnksThYJ27cCXJUn8pLzdvNpIgEbkCBcOE"
    "knRVRGa3byZV6GzZ7Az7gYkshLIao5uRatf42BK95eWftAaVqqDek2u56FDc+/S0Jb1rt7"
    "PiOnrqCvcAU9ZnasBXPsBnElibg607k/saR8CDHpHtdVdlZWaXqfNa1bkOmg7h3xaak2rF"
    "7qregqKF/v51UpUc4PQW52M1tGVs2j+zyPhmH4eqHctFQrgjE7TohMxN2fmQ+ZyLo7MMir"
    "pkOmrS2VDXnbf7ztvx28VDJkHzmmPu9I9sKCmm7ZFhiM23xv26sY04bTDtW9GM+8F0O9aT"
    "yXjHVRKRnroiQZ6yIXamU/qhoIB81biO7pSZW3b7FWxXHsk9z7t/g7y6TbXsWJnAkRlclZ"
    "M5PzRS9x+PZ/CgGRkg=="
)
