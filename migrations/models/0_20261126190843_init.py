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
CREATE TABLE IF NOT EXISTS "events" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "event" VARCHAR(64) NOT NULL,
    "database_id" VARCHAR(32),
    "payload" JSON NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "dispatched_at" TIMESTAMP
) /* The outbox: one row per lifecycle event, written with the change that caused it. */;
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
CREATE TABLE IF NOT EXISTS "events" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event" VARCHAR(64) NOT NULL,
    "database_id" VARCHAR(32),
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "dispatched_at" TIMESTAMPTZ
);
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
    "eJztXG1z2jgQ/isavlw7QzqpSQjXfiIpbbkm0AncXaedjkfYAmswkiuJEtrLfz/J2Pid2h"
    "QouP6UsNqVxbNCena18vfajJrI5s/aDn6HlrUX4HuNwBmS/8Ra6qAGHSeQK4GAI9tVhQ7W"
    "p2jpCuGICwYNIeVjaHMkRSbiBsOOwJQo7TYB7fddIA1eAkrsJcCCg8Hb9pl22QQW5BbAHH"
    "BBGTKfqR5NasguMZlsYzwn+Msc6YJOkLAQk118+izFmJjoAXH/ozPVxxjZZgQAbKoOXLku"
    "lo4ru7Ege+1qqoGNdIPa8xkJtJ2lsChZq8txK+kEEcSgQGYIFDK3bQ8/X7QaqxQINkfrQZ"
    "qBwERjOLcVtMp6NYJAVtP1Xn+oDzpDXa8lYPctQmB6IoMS5TJMBHe//ww+6DYiE2HJjw3t"
    "cfWcAIeVlnrgP+37m7ft+ycN7al6IJV+X02InteiuU2PbhdQwFUnLuoBzO7fAkD7+ruB2h"
    "cEWAez9uBgPz8/z4G21MqE221TeAf4OgyN8UMRhAOLMmLczANxMxvhZhxguRbpauUpAnHY"
    "pnRrRvMiB8TNi0yIVVMUYoMhBYUORRLkV7JF4BlKBzpqGYPa9Eyf+f+c4uyWX9Dsy53Qc/"
    "kG6Ifdu85g2L57rx434/yL7eLXHnZUi+ZKlzHpk/gvYd0J+Lc7fAvUR/Cx3+u48FIuJsx9"
    "YqA3/FhTY4JzQXVCFzo0Q7PTl/qoRbxuQy70Od/K73HbHXjeG/KxOP5EHO1jkvC04l3jaY"
    "gSKMEIGtMFZKaeaKEazdJNNs20WVwCCZy4TlJoqnF6/FZOIziCHKVx33XbRvZrelp56S/w"
    "DQBH7CtiABMAgfSukL5F7KX8MGKQGC6VhcAfBFhgYcnPDmSIiBRmvLt+U0jzp5olfb7yPR"
    "O1zxWJrkj0MULdbOThHo1s7tGIcw/Zs/z5FAE3sCghf97VXA4AlksVV0MqgHDIpII4B8Rc"
    "QDHnRRAOLEoI8O5jQMQYZUl8h+hBZKwRvsFW8J4QFe18GEZYqI/ik7v2h6cRJnrb773x1U"
    "Oo39z2r2No+1Qk72ReU5eDTeWaTQ1o1w6z5e083HYpXgLfLsmYy756DF452tObynK48s+Z"
    "9vzi6qLVaF60pIo7zrXkagPa3d4wBqUMQVlRcha2KeHqu3uK5kDOF5QVCjXCNiUE+bnWyr"
    "PHaa3sTU61RXH2A0y96IxOGJYQ8d1P6/CwClCLmNkBN7197XeH5hczNKNsqY+WAqWQ5ms8"
    "ydwK45Yl2hL/1LRG40o7bzRblxdXV5et8/XemGzatEled9+ofTLiheTGaThpActrm8IM6H"
    "2DGORjZXF6oG/A71X/7+vbDnh/37npDrr9XjSd6zYqkRRg4UJw32nfxgNCAh1uUaEXy8/F"
    "zMoQu+w9u6HAK7RZBhYl3CX3wkvWOe6C0zluV7753MpTUNDKridoJcoJZGA7Rabc4YoAHT"
    "EqH8q7XzWqA+9s6Mt74D13zC29HrWsvH4sXk85/fZGH85eqIPXgltXxKhaUdNX1ESJQRz0"
    "lACDMoQn5B1aurh35RghMdLYWEqNwGkh/ujPKV8aDJHBxfosPzrVJADyayM/sBgM77s3Mn"
    "TLrt0I7WkWtk3ZVUpE7Vm+fnePbJiRuCgt3qmBWVreoQBKA6+bE1zpM2HaZxVQ5ytyH5Qo"
    "AVo11DfV/yClkrP4Z2ghQOdiRB9eAEoQYHQBHMSAjcfIWMplDLi91cGCYSEQWRXnCGllWJ"
    "BMkPwXCmBAVdkGcEoV0D4esOMa+k35s9T9LCVr5v20j7co5YA5s+yqIPQ1dY/bULniG5Qw"
    "87D7Y9L1qUYx6hYzq8jbj8NhBy5tClNQ/mvQ72UR5LVJPBzChgD/yRWRn/D2mAatAmPzWU"
    "j82KMeDWZUB/GzkCoTkT3rTzMmzZOJMDF3oDCsrRyfMK6K748n/XBUxfd9R/l8hX2CegeN"
    "G+k39dVyUvC+ZMWzuZAmZAKkphTXwRQ5YkWF1X1SSaANOkMAjoUqoxdgjAnmFuJJvv3TvV"
    "UXVI+DbGSz6Kn8mkWA9vVLyKF3z+wqDl3VgP+ag+iqBvyka7SquCR7opc3LvGo0zZuj5lW"
    "MUkVk6TGJOujk5SQJHyskh2RRM5w8lwIdqj04RkmZ2ri1YH6+Z6tXm4zk2MEdAzg+nLvH9"
    "z9N+3+77bdpF73NUPnbC4K1ZXf4wpLqvfmVKX35Su9r6KUPUcpVT3yAeqRvQhjnBYPbihH"
    "jpqVISrce1IDf0Pb3NOJ2lW3dLa9peNRxy08ELesfLD1TakqE/IbZkJ+YeL86Lx82NLhcG"
    "R8uOLhYwM9b/VwbMIVrh/eZ6qnjRg2rFraW49XLfWNbz0OdH6U48lGdcfHv79LYeVPvp8j"
    "O6tSvYwqtpxql5c51lOplbmgum1RyqJ+VAUQ9tRLiO5e3visrrWmFv5mV0uGTKpqyYLVkr"
    "/03OLxfwjRk2I="
)
