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
    "eJztXVtz27YS/isYvdSZkTO2fD3Nk+wojRrHytjqZdp0GIiEJI4ogCXByDo9+e8HAO8kyJ"
    "AyJUssnmwBWBD6dgXsLnaX/3SWxECW+7pvmx/QuvMj+KeD4RKxfzI9XdCBth238wYKJ5YY"
    "Cm1TW6C1aIQTlzpQp6x9Ci0XsSYDubpj2tQkmI/uY9D/NASM4A0g2FoDk7rg8X3/uHdxCe"
    "bQnQPTBS4lDjJe8xkNorMpTTzbhNjD5t8e0iiZITpHDpviz79Ys4kN9ITc8KO90KYmsowU"
    "AKbBJxDtGl3bou12Dp13YiRf2ETTieUtcTzaXtM5wdFwtm7eOkMYOZAiIwEK9iwrwC9s8t"
    "fKGqjjoWiRRtxgoCn0LA4tp/ZXELd1NO1+NNYeB2NN6+RgDykSYAZNOsGcZSamrvj+S/ik"
    "WQjP6Jx9POt9858T4+CP4g/8tf9w+77/cHTWe8UfSBjffYG4D3p6ouubmAJS6E8iUI9hFn"
    "9rAB2ObwbqsCHGOpbanYN9enJSAW02qhBu0cfxjvG1HTQ1n+ogHFO0EePLKhBfFiN8mQWY"
    "7UUa33nqQJykad2ecXleAeLL80KIeVcaYt1BHAoN0jzIb1kPNZdIDnSaMgO1EZC+Dv85RO"
    "lmX9AYsZMwYHkJ9OPhx8HjuP/xE3/c0nX/tgR+/fGA9/RE6zrTepT9JUSTgN+G4/eAfwR/"
    "jO4HAl7i0pkjnhiPG//R4WuCHiUaJisNGgnpDFtD1FJct6BLNc/diO9Z2gY4Hyx5Xxh/II"
    "wOMclxmutd00VCJeANE6gvVtAxtFwP6ZGisfmuZW+ZbYEYzgSTOJp8nYF+y8QITqCLZLpv"
    "1Feq/RrBqKrqLwgJgIucr8gBJgYQMO5SxlvkvGEfJg7EulBlIQgXAVYmnbPPNnQQphLNuL"
    "l5JUrzn50547nPe4d2/lJKtFKi9xHqy7MqusdZse5xltU92Mzs51MH3JiihfpzU7IcA8y2"
    "KpcvqQbCCRIFcQWIXQqp59ZBOKZoIcDN24DIcYiTx3eMnmjBHhESbATvAamig9/HKS00RP"
    "HoY//3VylN9G50/1M4PIH67d3oJoN2qIpUFeZIddmZKHcsokOrs5sjr3FzW6h4OXyHuECW"
    "w+EZeNlqD0+U2XLZn+Pe6fnV+fXZ5fk1GyLWGbVclaA9vB9noGQmqFNXOUvStHD3bV5Fs6"
    "HrrohTy9RI0rQQ5NPedZUzrnddfMjxvjTOoYGp1ZXoHGELEW9erJPLqqFaZMh2eOht67zb"
    "tX6xREvirLXJmiKJ0nxjzgqPwixli47E//R6Z2dXvZOzy+uL86uri+uT6GzMd5UdkjfDn/"
    "g5meJC/uDUbZnB8s4isAD6kCAD+ZRTHB7oJfi9Hf1yczcAnx4Gt8PH4eg+7c4VnbyJNZhU"
    "QPAw6N9lDUIMbXdOqFbPP5cha4PtsnXvBgev1mEZU7TwlNyKXhL5uGuKc5auffJ8XSWg4L"
    "o4nuA6F07ADNsFMtgJVwfoFFH7UG5+11AX3sXQt/fC27ONDbmeplRc3xeuS26/g9UnvRf8"
    "4rXm0ZUiUjuqfEfNhRhkQZcYGMRB5gx/QGuB+5CtEWJdpo1JYgQOC/FvoUyFrfESHbiK7v"
    "LTosYAYF8bhYbF4/hheMtMt+LYjcSZNjctg00lsagDyncfHpAFCxwXrcVbapjJ/A41UHoM"
    "pjnAnb4Qpm1GAQ2+IvGgXAiQ39Eti/9BfEjF4J/xHAHi0Ql5+hEQjIBDVsBGDrDMKdLXbB"
    "sDYrYuWDkmpQj7wTmUUelziGeI/Qsp0CGPbAOmJApoGw9oOIa+zH8mPc8kXrPgp72/QSk7"
    "9JkVRwWhr9IzriRyJSRooeeh+WvS6FajnuqWIVPK2/fNYRuuLQIlKP/8OLovUpAjkqw5ZO"
    "oU/I/tiO4BH48yaDkY5Xch2WuPbtqY4RNk70KUJ6JY6g/TJq3iiTBM14ZUn2/E+BzxToLv"
    "d3m8Hwin9z32fmRzlvvY5zTvuLNU+ybhsIoa+IgpxUuPMhI8A2wka+6CBbKprwnzdFKmP+"
    "tkiQCcUh5FT8HUxKY7R25e3X72bCo/dT90jWIlesG+Zh2gw/EtVKGbV+yUCr0rpMmKoVEH"
    "44igfehu5RJaxdirGPsWxdgru69Y0Ntr9wW66SZsz5CqhGtl9EmNvgfG8FviYSqsnZzZl+"
    "zulhl+XHCY+ImRFW2/B8QEyeU2GTPbgjJCYAkNxFOledvEM5gdBgyPC4JomZpM0pgxhw2y"
    "ypt/TUwoTbbm9UF83Xbi6QskflE+jca0hucmYP9brl+emcVTYhNG7KlsFUYULdT1mrdWYq"
    "mvCnBM0UKAm1emU5tJDuayK9os5UYpDnsH98vkOPDTq8b2HI3fHeYne7xD74lCE8XaSLSZ"
    "ZBxOsSqTCvqpUkHGJgzHYxMfc026C7g9cuxXQ1yyNQIyBTCqBvODK/6VFYzZdBqpymIkAr"
    "MECqpGzH45slWhRZWr2b5cTeV23bKmqBLYdpDAFrhMpzIHd0n+WpqsDW7urVdCMv+LNkns"
    "TtOptO5NTZ5AddyAA1lKxYONzU51tfMvvNp5wVCLvePybnPNkpbx7rLN9g30qulmGYGrnX"
    "C2TVfPb2gyJ2TRkXh6wq5umaNn5Q+q7OdxkI5MXsrX9Sa8a4IMQEk2mcd9IwINXcS2Zwpc"
    "JlAu73DWgC2Ak69lzp9G51ZhjPuwB3VLvD+eY9XBORjewu2+d3JexYLjwwrh9jsz4UlRGm"
    "DVFJWYQmWoPCNDxd+banmAIoo2yvdFFRcQG1Us3Rc5JxAPbf8qUWBuCLEQxHKYY6IMzBNG"
    "tS2cwz18t4J9MxrdpQT7Zpj1Xf7y8WbwcHQqUI9rcynrTFln4rxVpV9axnVJHF5UxqDirX"
    "Xyekko26bUaVajLkRgpbwNdPcDlIYXKQ+Rha3Y/ksi+107UEuztVrymtAawZQ4IpwwmKkb"
    "13EI883IVFhuTCKQSwGkFC1tScGI50/5GX/G/ZDqBzeYLf5qYEb4DDwk8ovoY5b9F3DkV6"
    "l4BYhj+C+nEZOGViV/lyPA5DMOKV6DL0EVOQ9T0/rCX2LD18bUD1esjH9YEWfBLVqEDR5v"
    "aVI2RUmU5Sq22cPHqKiFPbNbI8bk972Sy4Iklboo2PSiQNUP2Wr9kAkxJFU0i4NFwvGtAF"
    "fFibzkvt18mEigDUgQLtykkyQqojW7+TIrw2ZP4DkuhsTzUohqjq5F519j4IrXg9ZOKE1T"
    "tSHcZte7sOH5xTq0Zb3i/hk6VeO/Qo1/zORYC/bYDfxKEnKV07k/vqS8CzFpHtdldpZWcX"
    "qfOa1bkPGgbhH+NFUbTi/12nnllK/386oUKOe7IDcrfZehVfvoPu+joRu+nis3TdUKZ8yO"
    "AyITfvdnxkMmou4ODPKq4ZBpaUtFQ972H2/7bwcvFQzZR46pzzuSu7Cgp1t2BQbjMd+79i"
    "rGtOGwQ1UX45l1MdSr3HPBWBeVgrEuSoKxLnKuVvajqoFwMLyF6J6eVHm9GRtV7Mc+yb3g"
    "jL8UTnrtVRzImSBRkZw1IzlftIjDt/8DRhIBVw=="
)
