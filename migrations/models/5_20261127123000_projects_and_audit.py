"""Projects, scoped keys and the audit trail.

Every key, database, webhook and event belongs to a project; what existed before goes to the
default project, and existing keys keep the power they had (admin). Database names become
unique per project, not per install: SQLite cannot drop a column's UNIQUE, so its `databases`
table is rebuilt (the documented 12-step way: foreign keys off outside a transaction, copy,
swap, check), which is why this migration runs its own transaction.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = False

DEFAULT_PROJECT = "'prj-default00000', 'default'"
OLD_DATABASE_COLUMNS = (
    '"id", "name", "engine", "version", "status", "desired_status", "error", "host", "port", '
    '"username", "password", "database_name", "description", "memory_bytes", "cpus", '
    '"snapshot_id", "volume", "container_id", "locked_by", "lock_expires_at", "expires_at", '
    '"protected", "snapshot_every_s", "snapshot_keep", "auto_stop_after_s", "last_active_at", '
    '"idle_stopped", "created_at", "updated_at", "parent_id"'
)

SQLITE = f"""
        PRAGMA foreign_keys=OFF;
        BEGIN;
        CREATE TABLE IF NOT EXISTS "projects" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(63) NOT NULL UNIQUE,
    "max_databases" INT,
    "max_memory_bytes" BIGINT,
    "max_disk_bytes" BIGINT,
    "created_at" TIMESTAMP NOT NULL
) /* A tenant: its keys see and change only its own databases, snapshots and webhooks, */;
        INSERT INTO "projects" ("id", "name", "created_at")
            VALUES ({DEFAULT_PROJECT}, CURRENT_TIMESTAMP);
        CREATE TABLE IF NOT EXISTS "audit_log" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "key_id" VARCHAR(32),
    "project_id" VARCHAR(32),
    "action" VARCHAR(64) NOT NULL,
    "target" VARCHAR(255),
    "status_code" INT NOT NULL,
    "result" VARCHAR(32) NOT NULL,
    "request_id" VARCHAR(64)
) /* One mutating API call: who (key, project), what (action, target), how it ended. */;
        CREATE INDEX IF NOT EXISTS "idx_audit_log_at_63718d" ON "audit_log" ("at");
        CREATE INDEX IF NOT EXISTS "idx_audit_log_project_2fe9ab" ON "audit_log" ("project_id");
        ALTER TABLE "api_keys" ADD "project_id" VARCHAR(32) NOT NULL DEFAULT 'prj-default00000';
        ALTER TABLE "api_keys" ADD "scope" VARCHAR(8) NOT NULL DEFAULT 'admin';
        ALTER TABLE "api_keys" ADD "expires_at" TIMESTAMP;
        ALTER TABLE "api_keys" ADD "last_used_at" TIMESTAMP;
        ALTER TABLE "api_keys" ADD "revoked_at" TIMESTAMP;
        CREATE INDEX IF NOT EXISTS "idx_api_keys_project_93af82" ON "api_keys" ("project_id");
        ALTER TABLE "webhooks" ADD "project_id" VARCHAR(32) NOT NULL DEFAULT 'prj-default00000';
        CREATE INDEX IF NOT EXISTS "idx_webhooks_project_423344" ON "webhooks" ("project_id");
        ALTER TABLE "events" ADD "project_id" VARCHAR(32) NOT NULL DEFAULT 'prj-default00000';
        CREATE INDEX IF NOT EXISTS "idx_events_project_1433de" ON "events" ("project_id");
        CREATE TABLE "databases_rebuilt" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "project_id" VARCHAR(32) NOT NULL,
    "name" VARCHAR(63) NOT NULL,
    "engine" VARCHAR(32) NOT NULL,
    "version" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "desired_status" VARCHAR(16) NOT NULL,
    "error" TEXT,
    "host" VARCHAR(64) NOT NULL,
    "port" INT,
    "username" VARCHAR(63) NOT NULL,
    "password" TEXT NOT NULL,
    "database_name" VARCHAR(63) NOT NULL,
    "description" TEXT NOT NULL,
    "memory_bytes" BIGINT,
    "cpus" REAL,
    "snapshot_id" VARCHAR(32),
    "volume" VARCHAR(128) NOT NULL,
    "container_id" VARCHAR(80),
    "locked_by" VARCHAR(32),
    "lock_expires_at" TIMESTAMP,
    "expires_at" TIMESTAMP,
    "protected" INT NOT NULL,
    "snapshot_every_s" INT,
    "snapshot_keep" INT,
    "auto_stop_after_s" INT,
    "last_active_at" TIMESTAMP,
    "idle_stopped" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "parent_id" VARCHAR(32) REFERENCES "databases" ("id") ON DELETE RESTRICT,
    CONSTRAINT "uid_databases_host_e35d36" UNIQUE ("host", "port"),
    CONSTRAINT "uid_databases_project_9289f2" UNIQUE ("project_id", "name")
) /* A database server in a container; a branch is a Database with a parent. */;
        INSERT INTO "databases_rebuilt" ("project_id", {OLD_DATABASE_COLUMNS})
            SELECT 'prj-default00000', {OLD_DATABASE_COLUMNS} FROM "databases";
        DROP TABLE "databases";
        ALTER TABLE "databases_rebuilt" RENAME TO "databases";
        CREATE INDEX IF NOT EXISTS "idx_databases_project_c50e3d" ON "databases" ("project_id");
        PRAGMA foreign_key_check;
        COMMIT;
        PRAGMA foreign_keys=ON;"""

POSTGRES = f"""
        BEGIN;
        CREATE TABLE IF NOT EXISTS "projects" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(63) NOT NULL UNIQUE,
    "max_databases" INT,
    "max_memory_bytes" BIGINT,
    "max_disk_bytes" BIGINT,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);
        INSERT INTO "projects" ("id", "name", "created_at")
            VALUES ({DEFAULT_PROJECT}, CURRENT_TIMESTAMP);
        CREATE TABLE IF NOT EXISTS "audit_log" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "key_id" VARCHAR(32),
    "project_id" VARCHAR(32),
    "action" VARCHAR(64) NOT NULL,
    "target" VARCHAR(255),
    "status_code" INT NOT NULL,
    "result" VARCHAR(32) NOT NULL,
    "request_id" VARCHAR(64)
);
        CREATE INDEX IF NOT EXISTS "idx_audit_log_at_63718d" ON "audit_log" ("at");
        CREATE INDEX IF NOT EXISTS "idx_audit_log_project_2fe9ab" ON "audit_log" ("project_id");
        ALTER TABLE "api_keys" ADD "project_id" VARCHAR(32) NOT NULL DEFAULT 'prj-default00000';
        ALTER TABLE "api_keys" ADD "scope" VARCHAR(8) NOT NULL DEFAULT 'admin';
        ALTER TABLE "api_keys" ADD "expires_at" TIMESTAMPTZ;
        ALTER TABLE "api_keys" ADD "last_used_at" TIMESTAMPTZ;
        ALTER TABLE "api_keys" ADD "revoked_at" TIMESTAMPTZ;
        CREATE INDEX IF NOT EXISTS "idx_api_keys_project_93af82" ON "api_keys" ("project_id");
        ALTER TABLE "webhooks" ADD "project_id" VARCHAR(32) NOT NULL DEFAULT 'prj-default00000';
        CREATE INDEX IF NOT EXISTS "idx_webhooks_project_423344" ON "webhooks" ("project_id");
        ALTER TABLE "events" ADD "project_id" VARCHAR(32) NOT NULL DEFAULT 'prj-default00000';
        CREATE INDEX IF NOT EXISTS "idx_events_project_1433de" ON "events" ("project_id");
        ALTER TABLE "databases" ADD "project_id" VARCHAR(32) NOT NULL DEFAULT 'prj-default00000';
        ALTER TABLE "databases" DROP CONSTRAINT IF EXISTS "databases_name_key";
        ALTER TABLE "databases" ADD CONSTRAINT "uid_databases_project_9289f2"
            UNIQUE ("project_id", "name");
        CREATE INDEX IF NOT EXISTS "idx_databases_project_c50e3d" ON "databases" ("project_id");
        COMMIT;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        SELECT 1;"""


MODELS_STATE = (
    "eJztXVtz27YS/isYvdSeUTKOfIlP+iQ7SqvWsTy2c9pp02EgErJYUQBLgJbVnvz3A4CkeG"
    "cIWZIpFnmJBWBB6sMK2F3s5Z/OnFjIoa/7rv0zWnbegX86GM4R/yPT0wUd6Lpxu2hgcOzI"
    "odC1jRlaykY4psyDJuPtE+hQxJssRE3PdplNsBjdx6B/MwScAJAJIBgB1yN/IpOBhc2mso"
    "GaxEXgwEPQ6oKFZzMEiAegNbfx4fd8hLMENqPg7sf+q97pmXisRUz+XBs/bOUJn/EU0imw"
    "KaCMeMh6DfrAQ49khiz5FMrgknbBhE/BpghA37IZ4DDYTheMfQb4szAFmLApf8PX4n19bP"
    "/lI4ORB8QpPP7Wv//Bm21soSdEo4/uzJjYyLFSC2NbYgLZbrClK9sup9D7IEcKLMaGSRx/"
    "juPR7pJNCV4N51CJ1geEkQcZshKLhX3HCdc1agrelTcwz0erl7TiBgtNoO+IJRfUwRvEbR"
    "3DuB7dG3eDe8Po5NghokisX9hkEixYycaMyu8/h0+Gg/ADm/KPx72vwXNiHIJR4oH/7d9e"
    "/ti/PTjuHYoHEs6PAaNehz092fVVTgEZDCaRqMcwhyxjqMGdptoM7FFDBe78uX++Cj8eiX"
    "+dvVqFGHX5vwLe0fhtIR3vYTtn8TdHRzXQ5aNK4ZV9aXzlvqcC8Ipgdwh35Da8Gw4+rwHx"
    "eSnA51l4XQ9N7Ce1DSOiaCMLn9Xh4LNyBj7LAsxPW0OcxSoQJ2ladxCendSA+OykFGLRlY"
    "bY5EIRh8KALA/ye97D7DkqBjpNmYHaCklfR3/sI3cLeXHEhcNwySugvx9+HNzd9z/eiMfN"
    "Kf3Lkfj17weipydbl5nWg+wvYTUJ+GV4/yMQH8Fvo+uBhJdQ9uDJJ8bj7n/riHeCPiMGJg"
    "sDWgnujFoj1FKrjp5cm8+2xqqnKTew6uHrNmXR92SRI0wqV9mBlBk+XevXnaXVK93klQ7V"
    "0zXWOU2pV7lpqywMA5NZQmcVDWNozhbQs4xcD+mRsrH5rnlvnm2BGD7IRRJoiveMDEPCyD"
    "HAzCs2G8W93UrTkRhnOOShnu1ohBGY+wwyvsDSxmNCx3kHFlMCDriY140MPYdd3gYZOOCz"
    "cdIuYNB7QKJ5ShbAZgBx3rNe5yxHW5h/w5aeC/thiJmCrYezffY3Gv4gmyvhPohXePWfXu"
    "/4+G3v6Pjs/PTk7dvT86NzPla+b77rbcXP+mL4w/D6Pv0rFQ3VBiD1nXOXcu9O16O9Yq/Q"
    "DdUsfDHFWrpkww7DbdvzXsyK+m2c9994ndir5DGkAnFM0UK70+aNIsH5rgJwTNG+faJ3el"
    "oDYD6qFGHZlzFNc7HLpxxBq8BAXSrzZKi+LfzsAzMH8k/vzcnbk/Pjs5OV2LNqqZJ2Iskm"
    "qQtS8X4KzBtTtHB32Pz26yH+NanqKZemat8usZlduCHqLpf84RhS1ClQdld93SpV1wpH1X"
    "WTABEBoMh7RB6wMYCAI8443sj7nn8YexCb0i8BguglAh8HCFzoIczyKu4G5y1QbX/vTLmA"
    "HgjqHutwSH/PSHMSuz+0s4N2dtDODtrZYXVWHNc5K47Lz4rjLLh8Zr6dqcAbU7QQ4M1zLz"
    "86qKLSmSDRENeAOFBuVBCOKVoI8ObdSfhr2R6yDHWg85Q7dJDyfIwFbHuKOvI84uXBvkdP"
    "JUr+iqANSlKV9Xzw633KcB6hePCx/+thynh+Nbr+IRqeQP3yanSRQTsSyOty9kqA3x0/O8"
    "SEzm64efOmQano5PAtNVhFw9eyVDWMlTdtqPK5RqoqFCdpWnjmbV4wdiGlC+IVaHp3CDrI"
    "KmHbBFUrYN71NhxZXQxVBs8RtgL+bXN58rUUJI0M2Q7PwG0df7vm8zmaE29pjJcMFQjUVe"
    "4rWcoWnZA7cWVJuHC7RcrMB4fAEugjggzkE0Gxf6BX4Pd+9OniagBubgeXw7vh6DrF5EGn"
    "aOINNpMQ3A76V1mtHEOXTomqtTRD1gZVZusmJgGe0mEZU7TwlHzTqxOuxEeV6+K9XMjS6u"
    "JHkZ2zdO3j5/M68Xfn5eF357noO67nCs/q8VIF6BRR+1De/K4hADPWj2cpINdO8E1zgteh"
    "S/+2VXY9wpApkM8rFYQ4COLSS+qYLrPEY064Lalg1bLbdb0Yja5SS3oxzCptnz5eDLiYcJ"
    "gWdPNaxEpgRY+I62UFGkW5V14BaYvUuY0ZPFc4zRBy18E3otPg5sGV2wllxDXghHE5VYWB"
    "C2k1yHmQZVSocCZ/ROvGlKao9SHc5EPYthwkfxau8jmcJdVHscJRrHMylG9o7Q1O811rzV"
    "VPU+pVb8qqF2yy4dsn72eFg7WqK26SSBuJio1EuVCCLOgFdybEQ/YD/hktJe5D/o4Qm0UG"
    "5oJYgP1C/GvEU1Fr/IoeXKx889OsxgHgXxtFdyV397fDS354lcdoJM60qe1YfKoCOSKk/P"
    "DzLXJgyV1sa/EuVBCLrlIVULoLp9nDnb4Upm1G+wwekXxQLtQn6OhWxfkgMaRmkM/9FAHi"
    "szF5eifTknpkAVzkAceeIHPJtzEgZwtSlDKEgyAckWPUnEL8gPifkAETirQ8wC6I9tnGA3"
    "RGi0a7AZRH+aDHwjOuIiIiImjhZeoWHEF1ENUL3Pat3OPUYM+QaZG5Ri4PuHQILED5p7vR"
    "dZlasiLJKqG2ycD/+DlE91goKYJWgJHSNHNOdVn/uW5ahRQTZJ3qtP2nnOv30xJQx/5j2d"
    "SFzJyutfA54p1Y1ncpVO3JSpca1huS2WBooblLuOxvLktqQGRGVGo/djxWpSYEuBnd3X9H"
    "QeJRr/izpK4S1nLoBrqJKMsAMV0gryi3wbrTFKYyCOtahCIC/+t5eQv+LVrOM+8WKzLypd"
    "ajrqSXpmqhJrN5SW+GlDwUw+EthHYria7mfIshSiwcU7QQ402XYIBMqTpANL6FyPaOTuqA"
    "K4aV86/sTEM8JtbSoFMY1l6qi3SGrIWAb96mpDNAbDkXAVlwOFTwXRG0z2S0lfgSriS5/K"
    "GoNMdGqVhcQKk98AqzOwYwif01D29VUHeOtA08veuAV22bK2f19trmGhR0ss71jzbLNd0s"
    "9xMZdwpscaK5W2WA+5OM6zofcPaywIJ4M0Cw9A5YZQY9CJgU2KwLIheU4AMjrqhvsZgiDI"
    "RL72EXWD4CkAGYM8dt+gGfsfxpyOKrrmObEJgOtOciS6kYwr95lKSUs6Rli+8JHfDpRrBS"
    "4MhAEaPS9Ocg/hYi1an8g08sekWOE/7CB2JA9ATLRtahyIQ68RBaVXhlcMa/I39bAhA0p8"
    "DzMZjyNRFlXgk2ka7x2iBtqtygyBdRrfZDOF5rVnVy673cxXzDTsRtm2ubn+Ft7/aMBBv7"
    "6wQ2xVRawGuagJdS3oQAoZySIU3VBqV5B4YgKWk9Jy9DAb2OFmzyj0tGdyone01TteHHtQ"
    "uLVEO01pEr1iXAJ6e7xp3dKg2WRMNq6rGpoo1RQcYZclns6UF8ZpI51yJFMLdQLyc2tukU"
    "0W+UgFxnNq32NUM+1mqf9sduNdL66nLLEqu+fN+yiUirBP82lUCXftBX041YihZfTYfayD"
    "rLniHVe2nT9tKGqPk3QdBqp0DJj7q6VSp+GPRaOzqEIQwxeye1bxFVAiji6je2oih1wn/I"
    "gWq+wKtLZhpfLVM5eIHGU0JmtJtT+jf+hM9YWAtsLEn+8gmDFBxcE4w4lAQ49txmh9pa0C"
    "C1qtxa8LJVGhsE9eaLdIjpU2Vxa3qG5ui0X2jeL1SA9IxiHAXULUJ5xwU5JMPadLbuSqRp"
    "9Tqsuw5aISpfkHYpRA0RlG85A1wSHzMp2uWE5WR3pcAsGIlzoxxZU2q+RZyvqJBYMYqCn8"
    "EcWkgUfBdtY9/iQiewfMEXsmViPwmHTc6BZJG/GdvEhIVx1nF07tg3Z0j+wgIaEfohysjr"
    "sOsXDLtWD7nW4dZKFzkx19cOpVxRtBDgzd8zpDYTJeErS7mW6NU4uF9G9hKnl8L2vBq/O8"
    "yPGrxDN0SgWWUSLZBmkllGy0WZVErTOsY/l3AcX9n4lZCsu0DIqa8Cc9wcCsvcRMR/hNaA"
    "76j8syg1zLrTFIosViLtrEThWSKKttq1zGr30hu8Lq6bgro1xXW1R8qWJUVdcXQHFUdDU9"
    "qkyBOkIugiTdYGf5BtK5ZUpH/0HaRaqydFpwv1qNTMs/9G6xj503TawL+ukhkK62usQJZS"
    "r4G+ZNGXLArJihsd7r33x3rO/JNHPg/7NqsXNQ30rxFnfaN8UYbhlAsYbdO49kvgPtYpsK"
    "1FXd0q01rkflbXsuYhE9mPyAPUH4uuMbIAI9niMPR76cVGEd+eGaCcoSiQdX0BfwFBviwy"
    "t210bu0l14Q9qFthb9PFT15CwfM9RwXucHgLD9ltpbqNi3mlMS4veRJT6Ionz6h4EpwIee"
    "Cr0lnGNK3g8F0bl4M63Iqmophoh3aiaEPfWzORVpHL9/X2qsi6nnPbVr0gTmtVm7Sms0by"
    "VlVqPHah5VKh2GuoKr4PFag95IYyXX6rNV+zsJUr4Ulkv6mMG+llrZfORgqRMtuo8KINZ+"
    "rGxVmjDDRkEmQz5UtLGYCMoblbUAX2+VN+xp9xP6L6joazxV8NPBAxg/AE/iL7uEr3BRwE"
    "pWcPAfEs5Il0q3LSSLUHU0gBJp9xRPEafHGIOeMbnY+Z7XwReVfFu8k4f/Fm4oPIJyvMCg"
    "hbws3YZnyKCufiRWw4iR6jnXUaZjxYLUx+36u4sUlS6duadW9rdFHgraYPLS7KUO4j9axK"
    "DE0DV7tHveS+vXnvqFAaUAnVTZJoR+7S2i0mlx8VUM3Rtej82xi4Ov3oy+zClh+k7zTmBR"
    "vFB4fAMvfgNF0G+okgbBX470efLq4G4OZ2cDm8G4Y29JXlQnam7Yi3g/5VBmvM+dgI99g1"
    "7EoF5DrnT3NsSXkTYlI9Vl3sLK1e6SavtM5MvxsFTV/FlEO/n0b5Wt6KgQlyrXXP0up9tM"
    "n7aGSGVzPlpqlaYYzZsVdqwu7+TKfUhOvjnkFe1yc1zW0pl9TL/t1l//3gpTxS+8izzWmn"
    "4C4s7OlWXYHBeMy3rr3KMd2w76dOB/PMdDD86KOFgb8VMZIxSQu30t7paR3Xw9PTcs9D0Z"
    "cxtfIflQLC4fAWovvm6KiOGfvoqNyOLfqyuUgwK7z2KvfrTJBox05Fx84XzV3y9f+nPrUI"
)
