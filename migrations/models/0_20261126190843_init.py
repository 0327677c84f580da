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
    "volume" VARCHAR(128) NOT NULL,
    "created_for" VARCHAR(32),
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
    "volume" VARCHAR(128) NOT NULL,
    "created_for" VARCHAR(32),
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
    "eJztXF+T2jYQ/yoaXprM3GUu5o6jzRN3IQnNBTIHbTPJZDzCFqDBlhxJ5I6m990rGRvbsk"
    "1tChRcP4FXu7L47Vr7xyt+NFxqI4e/6Hj4PVo2fgE/GgS6SH7RRs5AA3peRFcEAceOzwo9"
    "bM7R0ifCMRcMWkLSJ9DhSJJsxC2GPYEpUdwdAjofe0AKvAKUOEuABQfDd51z46oFZpDPAO"
    "aAC8qQ/ULNaFNLTonJdBvhBcHfFsgUdIrEDDE5xZevkoyJjR4RDy+9uTnByLETAGBbTeDT"
    "TbH0fNrtDLI3Pqda2Ni0qLNwScTtLcWMkjW7XLeiThFBDApkx0AhC8cJ8AtJq7VKgmALtF"
    "6kHRFsNIELR0GrpFcriGgN0+wPRuawOzLNRgr2UCIGZkCyKFEqw0Rw//e78NF0EJmKmbxs"
    "Gk+r+0Q4rLjUDX/v3N++69w/axrP1Q2p1PvKIPrBiOEPPflTQAFXk/ioRzD7nyWADvl3A3"
    "VIiLCOrPbgYL+8uCiAtuTKhdsfU3hH+HoMTfBjGYQjiSpi3CoCcSsf4ZYOsNyLTLXzlIE4"
    "LlO5PaN1WQDi1mUuxGooCbHFkILChCIN8ms5IrCLsoFOSmpQ24Hoi/DLKVq3/IH2QHrCQO"
    "UboB/1PnSHo86Hj+p2LuffHB+/zqirRgyfutSoz/QnYT0J+KM3egfUJfg86Hd9eCkXU+bf"
    "MeIbfW6oNcGFoCahDya0Y9YZUkPUElp3IBfmgm+ld112B5oPlnwsij8RRYeYpDSt4q7JPB"
    "YSKMIYWvMHyGwzNUINmsebHnINV6dAAqe+khSaap1BfCvNCI4hR1mx73psY/RrB1xFw18Q"
    "CgCO2HfEACYAAqldIXWL2Ct5MWaQWH4oC0G4CPCAxUxee5AhIjIi493NmxE0f2nMpM5Xum"
    "ei8bUOousg+hihbjWLxB7N/Nijqccecmb5+JQBN5KoYPy8K1uOAJZbFVdLKoFwTKSGuADE"
    "XECx4GUQjiQqCPDuc0DEGGVpfEfoUeTsEaHAVvCeUCja/TRKRKEhis8+dD49T0Sid4P+25"
    "A9hvrt3eBGQzsMRYoa8zp0OZgpNxxqQadxGJe383TbD/FS+PZIji2H7Bq8crWnZ8pyufLj"
    "3Hh5eX3ZbrYu25LFX+eacr0B7V5/pEEpU1BWNjiLy1Rw9919iOZBzh8oK5VqxGUqCPJLo1"
    "3ExxntfCenxpI4hwmmWdaiU4IVRHz3Zh1fVonQQhM7oNPbl787dHzhIpeypTleCpQRNN/g"
    "aa4r1CUr5BJ/Noxm89q4aLbaV5fX11fti7VvTA9tcpI3vbfKTya0kHaclpeVsLxxKMyBPh"
    "TQIJ8oidMDfQN+rwe/3dx1wcf77m1v2Bv0k+Vcf1CRJAELH4L7budOTwgJ9PiMCrNcfU4T"
    "q0LusvfqhgKvlLOMJCroJfcSl6xr3CXNWZernj23izQUtPP7CdqpdgKZ2M6RLT1cGaATQt"
    "VDefe7Rv3COx/66r7wXnj2llpPStZaPxatZ7z9DlYfr16oF68lXVdCqN5Rs3fUVIuBDnpG"
    "gkEZwlPyHi193HtyjZBYWdFYRo/AaSH+FNpUSI2WyODD+l1+0tQkAPJnozCxGI7ue7cydc"
    "vv3Yj5tBl2bDlVRkYdSL55f48cmFO4qCzemYlZVt2hBErDYJoT3OlzYdpnF9DAUxCtVppq"
    "A4oGzzb1AdGQrWAj0IAg4C6EFCFTIDkl+QzMkSdWHTmqsZ0uhEVdBOBEqH4eASaYYD5DPN"
    "3+869nqzvlj8FlnYH8Jp+5/JllgA75K1hG2H3GtX5FUc6YNbE6EqubUepmlGOIHw72sqgu"
    "1eQb+mkm7UVKNUHotI3aNdH6ZMLx1GaO6mTCOofLSEni+V1+RpJIJoucTPCo1OE5JufK8M"
    "6AenzPV6dsXblGQCcArk8Z/MT9r1kHEbadJvPcgR1L+H0U6rMHx5WW1Ad46x6g6vUA1VnK"
    "nrOUujHiAI0RQYYxycoHN/RFJMWqkBXuvaiB/0TbNAwm5ep2wW3bBYPQcQsN6JK1DrZu2a"
    "wrIf/DSsh/WDg/Oi0ftochnhkfrovh2EAv2sagGVzpRoZ9lno6iGFr1sj6+7XVyNnGv1+L"
    "eP6pxpOP6o5f/+a628zHPcPJBio83irLTg4K5ldV6lPx2nZqXF0V2E8lV+6G6o8lQxb1UJ"
    "VAOGCvILp7+es51V+f2WX363DQz2/JD0T0MBBbAvwFHMxPuKspC1wFxubylV6p0oI4NcFN"
    "VqhwSGf29Dd6zeoC"
)
