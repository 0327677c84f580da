"""Upkeep of databases: expiry, protection, snapshot schedules and idling, and the jobs table
that times that work (one row per job, claimed under a lease so each run happens once across
replicas); snapshots remember whether a schedule took them. One script per dialect, like the
initial migration.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        CREATE TABLE IF NOT EXISTS "jobs" (
    "id" VARCHAR(64) NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "database_id" VARCHAR(32) NOT NULL,
    "host" VARCHAR(64) NOT NULL,
    "due_at" TIMESTAMP NOT NULL,
    "claimed_by" VARCHAR(128),
    "lease_expires_at" TIMESTAMP,
    "last_error" TEXT
);
CREATE INDEX IF NOT EXISTS "idx_jobs_databas_f4b151" ON "jobs" ("database_id");
CREATE INDEX IF NOT EXISTS "idx_jobs_due_at_436b25" ON "jobs" ("due_at");
        ALTER TABLE "databases" ADD "snapshot_every_s" INT;
        ALTER TABLE "databases" ADD "auto_stop_after_s" INT;
        ALTER TABLE "databases" ADD "expires_at" TIMESTAMP;
        ALTER TABLE "databases" ADD "last_active_at" TIMESTAMP;
        ALTER TABLE "databases" ADD "idle_stopped" INT NOT NULL DEFAULT 0;
        ALTER TABLE "databases" ADD "snapshot_keep" INT;
        ALTER TABLE "databases" ADD "protected" INT NOT NULL DEFAULT 0;
        ALTER TABLE "snapshots" ADD "scheduled" INT NOT NULL DEFAULT 0;"""

POSTGRES = """
        CREATE TABLE IF NOT EXISTS "jobs" (
    "id" VARCHAR(64) NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "database_id" VARCHAR(32) NOT NULL,
    "host" VARCHAR(64) NOT NULL,
    "due_at" TIMESTAMPTZ NOT NULL,
    "claimed_by" VARCHAR(128),
    "lease_expires_at" TIMESTAMPTZ,
    "last_error" TEXT
);
CREATE INDEX IF NOT EXISTS "idx_jobs_databas_f4b151" ON "jobs" ("database_id");
CREATE INDEX IF NOT EXISTS "idx_jobs_due_at_436b25" ON "jobs" ("due_at");
        ALTER TABLE "databases" ADD "last_active_at" TIMESTAMPTZ;
        ALTER TABLE "databases" ADD "idle_stopped" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "databases" ADD "expires_at" TIMESTAMPTZ;
        ALTER TABLE "databases" ADD "snapshot_keep" INT;
        ALTER TABLE "databases" ADD "snapshot_every_s" INT;
        ALTER TABLE "databases" ADD "auto_stop_after_s" INT;
        ALTER TABLE "databases" ADD "protected" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "snapshots" ADD "scheduled" BOOL NOT NULL DEFAULT False;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "databases" DROP COLUMN "last_active_at";
        ALTER TABLE "databases" DROP COLUMN "idle_stopped";
        ALTER TABLE "databases" DROP COLUMN "expires_at";
        ALTER TABLE "databases" DROP COLUMN "snapshot_keep";
        ALTER TABLE "databases" DROP COLUMN "snapshot_every_s";
        ALTER TABLE "databases" DROP COLUMN "auto_stop_after_s";
        ALTER TABLE "databases" DROP COLUMN "protected";
        ALTER TABLE "snapshots" DROP COLUMN "scheduled";
        DROP TABLE IF EXISTS "jobs";"""


MODELS_STATE = (
    "eJztXVtz27YS/isYvdSeUTKOfIlP8yQ7SqMmsTK2ctpp02EgEpJ4TAEsCUbW6cl/Pwvwfl"
    "NIWZIpBk+2ACwIfbvCXrBY/tNZMINY7vO+bb4jq87P6J8OxQsC/2R6uqiDbTtuFw0cTyw5"
    "FNumdk9WshFPXO5gnUP7FFsugSaDuLpj2txkVIzuU9T/OERA8Aoxaq2QyV1097b/rHd+ge"
    "bYnSPTRS5nDjGeixkNpsOUJp1tQuxR82+PaJzNCJ8TB6b48y9oNqlBHogbfrTvtalJLCMF"
    "gGmICWS7xle2bLueY+eNHCkWNtF0ZnkLGo+2V3zOaDQc1i1aZ4QSB3NiJEChnmUF+IVN/l"
    "qhgTseiRZpxA0GmWLPEtAKan8FcVtH025GY+1uMNa0Tg72kCIBZtCkMypYZlLuyu+/wA+a"
    "ReiMz+Hjae+b/5wYB3+UeOC/+7fXb/u3R6e9Y/FABnz3BeIm6OnJrm9yCsyxP4lEPYZZ/q"
    "0BdDh+O1CHDTHWsdTuHewXJycV0IZRpXDLPoF3jK/tkKn5UAfhmKKNGF9UgfiiHOGLLMCw"
    "F2li56kDcZKmdXvGxVkFiC/OSiEWXWmIdYcIKDTM8yC/hh5uLkgx0GnKDNRGQPo8/OcQpR"
    "u+oDECTRiwfA304+GHwd24/+GjeNzCdf+2JH798UD09GTrKtN6lP0lRJOg34bjt0h8RH+M"
    "bgYSXubymSOfGI8b/9ERa8IeZxplSw0bCekMW0PUvgltPL1PKArRMMH6/RI7hpbrYT1WNj"
    "bftegtsi2Y4pnkmQBXLDOwekCo8AS7pMgiivrW2kRGMKqqUYRCAuQS5ytxkEkRRsBsDqwm"
    "ziv4MHEw1aWBg1G4CLQ0+Rw+29ghlBfYS9ubt8CU+rMzB5b7rHd45y9lWinTqolQX5xW0U"
    "in5RrpNKuRYGb4+dQBN6ZooVW1LVmOAYatyhVLqoFwgkRBXAFil2PuuXUQjilaCPD2PQNY"
    "lumA8Vkf6Dzl/gDvOB6lArYDRZ04DnPyYI/JAy/ZmUOCjTAOtFpTZHqd/T/4fZwy/UMUjz"
    "70fz9Omf/vRze/hMMTqF+/H11l0A4NwKqSHRmM+5Nni+nY2o80b9/1lYZ1Dt8hLZHlcHgG"
    "Xljt4YkyLBf+POu9OHt5dnl6cXYJQ+Q6o5aXa9Ae3owzUHrgAdU1iZM0LdR52zeMbey6S+"
    "bUcvCSNC0E+UXvsoqO612WKznRl7EtAkddqyvROcIWIr59sU4uq4ZpkSHbo9Lblb7bt32x"
    "IAvmrLTJipMCC/rKnJWqwixli1Tiv3q909OXvZPTi8vzs5cvzy9PIt2Y71qnJK+Gvwg9me"
    "JCXnHqdpH38sZiuAT6kCAD+VRQHB7oa/B7Pfp09X6APt4Orod3w9FNOoYuO0UTNJhcQnA7"
    "6L/PuuEU2+6cca1eVDRD1gbfZecxJQFeLWUZU7RQS+7ELolOFmqKc5auffJ8WeVw/7L8bP"
    "8yd7QPju09MUDD1QE6RdQ+lLe/awjANPJgmw5xNziBLiDfwjF0w3hwIKfOISa5Y+dU/HBj"
    "VisuHw6XbYdxogvk804FYxbBtCw5KkGXYfEECHdlFUQt++Xr1Wj0PsXSq2HWafv04WoAZs"
    "Jx2tDNexGRwUq+EvDLCjyKUleuiLRF7tzWIpwRTveE2JvgG9IpcPPgyu3E5czW8JSDnVpH"
    "gAtpFch5kC3scg3r3PxKNrG1ctRKCTdZCZuGReTPwq6th7OkShXXUMUqn7Z8Q2tXPm3q/N"
    "M2NuR6mlJxvSlcL9hkg9UnD2RFBm/NaFyKSAWJioNEuVz1LOgFZybMIeaMviMrifsQ1oip"
    "XhRgLkg2PyzEv4UyFbbGS3TwMkoKT4saAABfm4RnJXfj2+E1KK/ySwAJnTY3LQOmKrAjAs"
    "o3726JhUvOYluLd6GDWHSUWgOlu2CaA9zpS2Ha5XWSwVciH5S7S+J3dNddJCFiSMVbJOM5"
    "QczjE/bwM2KUIIctkU0cZJlToq9gG0Nyti5aOibnhPq3PDhQ6XNMZwT+xRzp2HOJgcyC6y"
    "S7eMCWr+iuSwko1GcFfnfw027u7YY9pgGUXy8hXwt13JorECFBCw9Tt5/5GSVq1TPdMmTK"
    "ePv+CZ+NVxbDBSj/eje6KTOQI5KsO2TqHP0PdkT3gNVjEbQCjJTPk0vvymZyddPOjJggm9"
    "6lIhHlUn+YPmmVSIRhujbm+nwjxueI9xLj3ad6PxBOl4Z4G3KJ+1c26RTY3KJ5rcX9Hzap"
    "am+DdBloyZx7sIalQRzdtj7ykwHAyO2i0OvyP3Bmwz9oOQfzWESxj7vI8AgCuxjn7e0tP+"
    "Azlb8M1EcOsS1Tx0i3sLkQN7/FEPjm4cVvEEnDFN8TW+jTRyFKvu3uEu7KojsWgVWI6+Py"
    "H5hY9IpMfljwkRgQPsEwiXEsbpdPHULQlDnSH+D4Hr4jrJYhgvU5cjyK5sATQl34njpR1X"
    "saZJSW+wDAxFpAh+Nb6AHs4P7o03kAFaA+/MoJh3SL8eD2jIQYe5uc5cdU+7HtlYG32Rm+"
    "NCBqZyGnqdoXpNhJbr20tB6TilxArxJkmvzjkglNtQsapKna8OPax63DhnitI1vwxccn57"
    "vGnd11HiwLh1X0Y0fgWC48DiR0hkT+HKNddE9s7nuDwptjHtfZArxIkb8o3MupSU13Ttz8"
    "IdGjZ1NuXzPsY+X2PYkzog5+9oU0WwIadTCOCNqH7k4sVlVibMchIuUS/GgugSpvts/yI+"
    "p8unxra+/5dOCNbML2DKnaS5u2lzbEzb8Fhl8zj3Lp3+Yc/WR3d52rLwQHxE+OrOjt3xIQ"
    "JFd44eCoB29TQQtsEFEbXLRNPAM8b2R4QhBky9R8EOfQIHJsmXf4tzFhYXVx8ZoE35uZeP"
    "o9kb8on0ZURn1sxfEfJU30kZcz10QBIvZUjgNEFC207rfvn8ZSXxXgmKKFAG/ffUptJjmY"
    "16WSZyk3uszdOLifpryc0F41tudo/P4wP2nwDt0Qgya6E1RgzSTvC5WbMqnLSVVemWIzwP"
    "GZSZ8JS7qLhD/yzH8p3ALWiNhUpLUFUdGfXPlv0RtSNp2m0GQxEhfIJArqpSjNOrpQ75tT"
    "ZXLbVyZXBdp3bCmq2qF7qB0ahEynRQHuNblkabI2hLl3/uofcX3Gs2pX3UnRqZI7darfmf"
    "8lm1QxT9O1qGTYnp3MwFjfgANZSsWDjR19dZj2Ax6mNfsWy8Gr9Vz4J498HvZd1iFqGuhl"
    "FV+6mUJEGYGrXYpol8G138hkzth9pyC2FnZ114XWlv6gypE1h+jEFG8Ldr2J6JoQA3GWLf"
    "PivpLJvC6B7ZkjFwTKRbJCL4IFCPJVUbhtq3OrVOEm7EHdNfE2z7Hq4BwMb+F23zs5q+Iz"
    "i2GlcPudmfddRgWi0hiXFy+JKVTtkkfULvH3ploxt4iijfJ9XiXoBqPKpfs8F3bziznXjF"
    "LERHsMUYR7+MFGKJR3Vi7o7fXOVFHgtnG9IPMxKnBZMU8geaAnjW2zMGhWo2Jo4KW8Dmz3"
    "A5SGMjdyp4VDs7CV+39JZL/rB2pptla7ICqtRlm/RyRwBjN14wqf4Z1ONvXrAwFrXY4w52"
    "RhF5QSffyUn+ln2g+pfnKD2eKvhmZMzCCSUL/IPvDsv6Ajv37pMWKOQRxRwEhOGnqVaI5d"
    "RNlnGlI8R1+CV6Z5lJvWF1HJSKxN3pwRKxMfRIUm4dESaogMV5PDFGvyWpexzx4+RuWJNM"
    "xvjRiT3/fWHBYkqdRBwaYHBaqy7E4L8kyYUVCspTw9JxzfCnBVZs5T7tvbT8wJrIFab+NK"
    "kKgc4uzmC16GDU8Qt4qMgshLKao5uhbpv+2+30wV9Nn7Lmx4fkEcbVHvTfYZOvVC+wovtK"
    "cgx1qwx24QVyogV7domxNLyocQk+5xXWZnaRWnm8xpVetxPw6aOooph/4wg/KVEuX8EORm"
    "L0XI0Kp9tMn7aBiGrxfKTVO1Ihiz54TIRNz9kfmQiay7A4O8ajpkWtpS2ZDX/bvr/uvBUy"
    "VD9olj6vNOwVlY0NNddwSG4zHfO/Yqx3TLaYeqEskjK5GA6nML75yuuZ4Xk7RwK+2dn1dK"
    "xjpfk4x1ngu1wo+qBsLB8Bai++LkpEoY++SkPI4t+rJlMCgvPPYqT+RMkKhMzpqZnE9aNu"
    "Pb/wFNBMMl"
)
