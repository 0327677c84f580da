"""Initial schema: databases, snapshots, operations, API keys.

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
CREATE TABLE IF NOT EXISTS "operations" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "kind" VARCHAR(32) NOT NULL,
    "database_id" VARCHAR(32),
    "status" VARCHAR(16) NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMP NOT NULL,
    "finished_at" TIMESTAMP
) /* One mutating action, kept with its outcome after it finishes. */;
CREATE TABLE IF NOT EXISTS "snapshots" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(63) NOT NULL,
    "description" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "size_bytes" BIGINT,
    "unique_bytes" BIGINT,
    "created_at" TIMESTAMP NOT NULL,
    "database_id" VARCHAR(32) NOT NULL REFERENCES "databases" ("id") ON DELETE RESTRICT,
    CONSTRAINT "uid_snapshots_databas_ad91e1" UNIQUE ("database_id", "name")
) /* A point-in-time, read-only image of a database's data. */;
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
CREATE TABLE IF NOT EXISTS "snapshots" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(63) NOT NULL,
    "description" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "size_bytes" BIGINT,
    "unique_bytes" BIGINT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "database_id" VARCHAR(32) NOT NULL REFERENCES "databases" ("id") ON DELETE RESTRICT,
    CONSTRAINT "uid_snapshots_databas_ad91e1" UNIQUE ("database_id", "name")
);
COMMENT ON TABLE "snapshots" IS 'A point-in-time, read-only image of a database''s data.';
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
    "eJztnOFz2jYUwP8VHV/W3iW91CSErZ9ISlvWFHqBbb32ej5hC9BhS64kmrAu//skY2Nbtp"
    "nNgIHnT4EnPSF+T+i9Jz3nR8OlNnL4i46H36Nl4xfwo0Ggi+QLreUMNKDnRXIlEHDs+F2h"
    "h805WvpCOOaCQUtI+QQ6HEmRjbjFsCcwJap3h4DOxx6QCq8AJc4SYMHB8F3n3LhqgRnkM4"
    "A54IIyZL9QI9rUkkNiMt1GeUHwtwUyBZ0iMUNMDvHlqxRjYqNHxMO33tycYOTYCQDYVgP4"
    "clMsPV92O4Psjd9TTWxsWtRZuCTq7S3FjJJ1dzlvJZ0ighgUyI5BIQvHCfiFotVcpUCwBV"
    "pP0o4ENprAhaPQKu3VDCJZwzT7g5E57I5Ms5HCHmrEYAYiixJlMkwE97+/Cx9NB5GpmMm3"
    "TeNp9TkRh1Uv9YG/d+5v33XunzWN5+oDqbT7akH0gxbDb3ryh4ACrgbxqUeY/b8lQIf9d4"
    "M6FESso1V7cNgvLy4K0Ja9cnH7bYp3xNdjaIIfyxCONKrIuFUEcSufcEsHLPciU+08ZRDH"
    "dSq3Z7QuCyBuXeYiVk1JxBZDCoUJRRrya9kisIuyQSc1NdR2oPoifHGKq1t+QXsgPWFg8g"
    "3oR70P3eGo8+Gj+jiX82+Oz68z6qoWw5cuNekz/ZewHgT80Ru9A+ot+Dzod328lIsp8z8x"
    "6jf63FBzggtBTUIfTGjHVmcoDaklrO5ALswF38ruuu4OLB9M+VgMfyKGDpmkLK3irsk8Fh"
    "IowRha8wfIbDPVQg2a1zfd5BquLoEETn0jKZpqnkF8K5cRHEOOsmLfddvG6NcOehUNf0Go"
    "ADhi3xEDmAAIpHWFtC1ir+SbMYPE8kNZCMJJgAcsZvK9BxkiIiMy3t24GUHzl8ZM2nxley"
    "YaX+sgug6ijxF1q1kk9mjmxx5NPfaQI8ufTxm4kUYF4+ddreUIsNyquJpSCcIxlRpxAcRc"
    "QLHgZQhHGhUEvPscEDFGWZrvCD2KnD0iVNgK7wmFot1Po0QUGlJ89qHz6XkiEr0b9N+G3W"
    "PUb+8GNxrtMBQpupjXocvBlnLDoRZ0GodxeTtPt/0QL8W3R3LWcthdwytne3pLWU5X/jk3"
    "Xl5eX7abrcu27OLPcy253kC71x9pKGUKysoGZ3GdCu6+uw/RPMj5A2WlUo24TgUhvzTaRX"
    "yc0c53cqotyTlMMM2yKzqlWEHiu1/W8WmVCC00tQM6vX35u0PHFy5yKVua46VAGUHzDZ7m"
    "ukJds0Iu8WfDaDavjYtmq311eX191b5Y+8Z00yYnedN7q/xkwgppx2l5WQnLG4fCHPShgo"
    "Z8ojROD/oGfq8Hv93cdcHH++5tb9gb9JPHuX6jEkkBFj6C+27nTk8ICfT4jAqz3PmcplaF"
    "3GXvpxsKXilnGWlU0EvuJS5Zn3GXXM66XvXWc7tIQUE7v56gnSonkIntHNnSw5UBnVCqHu"
    "Xd7xr1hXc++upeeC88e0urJzVrqx+L1TNuv4PZx08v1MVrSdeVUKp31OwdNVVioEPPSDAo"
    "Q3hK3qOlz70n5wiJlRWNZdQInBbxp3BNhdJoigw+rO/yk0tNApBfG4WJxXB037uVqVt+7U"
    "bMp82wY8uhMjLqQPPN+3vkwJyDi8ryzkzMss4dSlAaBsOc4E6fi2mfVUADTyFazTRVBhQ1"
    "nm2qA6Jht4KFQAOCgLsQUoVMgewpxWdgjjyxqshRhe10ISzqIgAnQtXzCDDBBPMZ4unyn3"
    "89Wl0pfwwu6wzkF/nM5dcsAzrsX8FjhN1nXOsrinKLWVOrI7G6GKUuRjmG+OFgl0X1UU3+"
    "Qj/NpL3IUU0QOm1jdk21fjLheM5mjurJhHUOl5GSxPO7/IwkkUwWeTLBo9KG55icq4V3Bt"
    "TP93z1lK0r5wjoBMD1UwY/cf9l1oMI2w6T+dyBHUv4fQr1swfHlZbUD/DWNUDVqwGqs5Q9"
    "Zykc/4m2KbFK6tUFVtsWWAXOdgsL6Jq1DbYucqtzx/9h7vgfHjUenZUPe+sbzyUOd+97bN"
    "CLXvxqC6701e8+k+MOYtiaNbL+YdWq5WzjP6yK+vxTVpxPdccXZrnuNvPnnuFkAxMeb166"
    "k0er8vPQ+jlibTs1rq4K7KeyV+6G6rclQxb1oypBOOheQbp7+WddqiI5sy7p1+Ggn1/EHK"
    "joYSC2BPgLOJifcB1IFlwFY3PCr+f2WhCnBrjJChUO6cye/gZgtgVt"
)
