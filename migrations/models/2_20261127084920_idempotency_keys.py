"""Idempotency keys: the request each POST's Idempotency-Key belongs to, and its answer.

aerich writes dialect-specific SQL, so this migration carries one script per dialect
and picks the one matching the connection it runs on.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        CREATE TABLE IF NOT EXISTS "idempotency_keys" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "api_key_id" VARCHAR(32) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "method" VARCHAR(8) NOT NULL,
    "path" VARCHAR(2048) NOT NULL,
    "body_sha256" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "owner" VARCHAR(128),
    "response_status" INT,
    "response_body" TEXT,
    "created_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_idempotency_api_key_3181ed" UNIQUE ("api_key_id", "key")
) /* A POST's Idempotency-Key per API key, with its answer. */;
CREATE INDEX IF NOT EXISTS "idx_idempotency_expires_ae52bb" ON "idempotency_keys" ("expires_at");"""

POSTGRES = """
        CREATE TABLE IF NOT EXISTS "idempotency_keys" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "api_key_id" VARCHAR(32) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "method" VARCHAR(8) NOT NULL,
    "path" VARCHAR(2048) NOT NULL,
    "body_sha256" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "owner" VARCHAR(128),
    "response_status" INT,
    "response_body" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_idempotency_api_key_3181ed" UNIQUE ("api_key_id", "key")
);
CREATE INDEX IF NOT EXISTS "idx_idempotency_expires_ae52bb" ON "idempotency_keys" ("expires_at");
COMMENT ON TABLE "idempotency_keys" IS 'A POST''s Idempotency-Key per API key, with its answer.';"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "idempotency_keys";"""


MODELS_STATE = (
    "eJztXW1z2rgW/isavrSdIZ2UvDR3+4mkdMttGzoJe3dntzuusEXwYCSvJZdw9+a/X0nY+N"
    "2xiCHGq08Jko4snnPQedHR8d+dBbGQQ1/3XfsTWnV+An93MFwg/k+qpws60HWjdtHA4MSR"
    "Q6FrG3O0ko1wQpkHTcbbp9ChiDdZiJqe7TKbYDG6j0H/6xBwgneAYGcFbEbB7cf+Ue/sHM"
    "wgnQGbAsqIh6zXYkaLmHxKG99tQ+xj+y8fGYzcITZDHp/ijz95s40tdI9o+NGdG1MbOVYC"
    "ANsSE8h2g61c2XY1g94HOVIsbGKYxPEXOBrtrtiM4M1wvm7Reocw8iBDVgwU7DtOgF/YtF"
    "4rb2CejzaLtKIGC02h7whoBfV6BVFbxzCuR2PjdjA2jE4G9pAiBmbQZBIsWGZjRuX3X8B7"
    "w0H4js34x5Pew/o5EQ7rUeKB/+nfXH3s37w86b0SDySc72uBuA56erLrQU4BGVxPIlGPYJ"
    "Z/FYAOx9cDddgQYR1J7d7BfnN8XAFtPqoQbtkn8I7wdT00te9VEI4o2ojxeRWIz4sRPk8D"
    "zPciQ+w8KhDHaVq3Z5yfVoD4/LQQYtGVhNj0kIDCgCwL8nvew+wFygc6SZmC2gpIX4f/HK"
    "J08y9ojbgmDFheAv14+GVwO+5/+Soet6D0L0fi1x8PRE9Ptq5SrS/Tv4TNJODX4fgjEB/B"
    "76PrgYSXUHbnySdG48a/d8SaoM+IgcnSgFZMOsPWELUHoY2n85iiEA0TaM6X0LOMTA/pka"
    "Kx2a5Fb5FugRjeSZ4JcMUyA6uHCxWcQIryLKJNX6lNZAWjqhpFICQAFHk/kAdsDCDgzGac"
    "1ch7xz9MPIhNaeBAEC4CLG02459d6CHMcuyl+ubNMaX+6Mw4y9es91jnT21aadOqiVCfn1"
    "TRSCfFGukkrZH4zPznowJuRNFCq6ouWY4A5lsVFUtSQDhGoiGuADFlkPlUBeGIooUA1+8Z"
    "IM8jXhbfMbpnBXtESLAVvMH+2hR0yyzRwW/jhBEaovjyS/+3VwlD9PPo+udweAz1q8+jyx"
    "TaoSlSVZg3psveRLnjEBM6nf2ovNqdMGniZfAd4gJZDoen4OWrPTxR5svlf456b07fnl6c"
    "nJ9e8CFynZuWtyVoD6/HKSh9bourGmdxmhbuvvWbaC6kdEk8JVcjTtNCkN/0LqrouN5FsZ"
    "ITfUmcQwfTUJXoDGELEa9frOPLUjAtUmR7VHq70nf7ti8WaEG8lTFZMZRjNF/ad4WqME3Z"
    "IpX4r17v5ORt7/jk/OLs9O3bs4vjjW7MdpUpycvhz0JPJriQVZymm+ewfHAILIA+JEhBPh"
    "UUhwd6CX7vR79cfh6ArzeDq+HtcHSdjObKTtHEG2wmIbgZ9D+nHUIMXTojzFCLz6XI2uC7"
    "7Dy6IcBTUpYRRQu15E7skk2MW1Gc03Ttk+eLKsfMF8WnzBeZQ2bu2M6RxTWcCtAJovahXP"
    "+uoY9Bi6Fv1zFoIljgWltyPUmpud4UrocYxdgerD4evRAHr4qqK0Gkd9T8HTWTYpAGPcfB"
    "IB6y7/AntJK4D/kaITbzrLGcHIHDQvwhlKmwNVqiB5ebs/ykqHEA+NdGoWNxO74ZXnHXrT"
    "h3I6bTZrZj8alyPOqA8sOnG+TAgsBFa/HOdczy4g4KKN0G0xzgTl8I0y6zgAY/kHxQJgVo"
    "3dEty/9BYkjF5J/xDAHiswm5/wkQjIBHlsBFHnDsKTJXfBsDcrYuWHo2Ywivk3MYpzJnEN"
    "8h/i9kwIQ+RRawc7KAdvGAmjOry+JnufosJ2oW/LSbm5Syx5hZcVYQ+pGr40oyV0KCFkYe"
    "6j8m3ZxqqJluKTJtvD3uDrtw5RCYg/K/b0fXRQbyhiTtDtkmA//jOyI9YPWYB60Ao/wsJH"
    "3s0U06M2KC9FmIjkQUS/1h+qRVIhGWTV3IzNlWjM8Q18D7xze8far3A+F0TvShUbn3Qwst"
    "XMKtUHNVcCcxNaLUDrejsSp3FMHX0e34BQWxRx3xZ0mrObiA2F1byeICIsR0iby87Pttp8"
    "lNtg/uWQYmAv/vaRn3/xR7+4lpW8WWdJIfVS29JFULber6Lb05UjpYCoa3ENre2VkFbPmo"
    "QnBlXzqxheOkJMIRRQsxrnIUXXwQnTmG5kaP0tXQcHwLke0dn1YBVwwrll/ZmYR4QqyVQW"
    "ewd3augnSKrIWA1x/d0HdGdnxnhCw5HCr4bgjaFzLaSVoQd5Jc/lBkFIlyoVmcQ9miTM7a"
    "LjdsYBL7axbe4hTlDGEbJHrfWco6Mlcs6O2NzKF71+azbcH1JOV+uK6DcgcXlBu5gudr7D"
    "PxuKizWxaKI+GwikG4EUZg4XNdy/kL+Eje3AVz5LIoYkZ8ZpIFAnDKRGkLBqY2tukM0Wws"
    "7smz6VJizQgLFcfj5vxrKsWJgvEtdEzqj8Hpc+19Ia1dwB27gDqIoQtfaJdPu3yN9QaquH"
    "yBbboN21Oke0nEaMwvsEFsbrrTd8MZfkV8zKS3k3H74t3dMsdPCA4XPzmyou93g7ggUeGT"
    "cbctyJQAC2ghUb9QtE18i/thwPKFIMiWqc0ljTtz2CLLrPtXx4S5SRnRUf7EN+dI/qLWNC"
    "JO/NSqiDpH44k5Gur5GTo3Q8lbiaS+8rnrhqKFANdvTCc2kwzMZfcm0pRbnVY1Du7nKTwi"
    "tJfC9rwZvz/Mjxu8QzfEoNlcgMuxZuKX44pNmcRNvCp5pC7hOB7Z+EhY0l0g/JGj9YsrFn"
    "yNgEwB3JRofkHlv3l5pNtOk2uyWLHbkhIFXbi5WYFs/U4MXUCtfQXUdNh1x5airiq1h6pS"
    "Qch0mhfgLikqlSRrQ5h75+XJ7f+ibaotJulalKG3Z5cnMB234ECaUvNga7dTH+38A492nj"
    "HVonFc3m8BqLhnnIR9lyWgmgb6QyhZj9SASgmcchWoXYZ6fkWTGSHzTk6kJ+zqlgV6lutB"
    "leM8HjKRLd6vRf2J6JogCzCSrrBD38lEQ4r49swA5QJFRYe3AnwBgnyVF/ypdW6dxtiEPa"
    "hbEv3xPUcF52B4C7f7Xd0XjGpzJTEurhsTUeiyMU8oG7Pem5QiQBuKNsr3WZUQEB9Vcps7"
    "EwQSqe0/cgyYS0IcBHE+zBFRCuYJp9oVzuEevl/BvhyNPicE+3KYjl3+8uVycPPyjUQ9Kp"
    "ivvTPtnUl9q+sxt4zrOXl4m9qiFU+t48dL0ti2c4NmCsVaAy/lfWC7H6A0FLmRO63Zmoat"
    "2P+LI/uoH2gk2Vrt8pq0GsGUeDKdMJipGxVXDe+bkan03LhEIMoAZAwt3Jwqrk+f8hv+hv"
    "sh1QsazBZ9NXBHxAwiJfK77OOe/Xfwcl069hUgnrV+Y7ScNPQqwQxSgMk3HFK8Bt+DVzv4"
    "mNnOd/FmabE2bn5QuTLxYUm8ufBoEbZEvqXN+BQlWZbLyGcPH6OzFhrmt24Yk933Sg4L4l"
    "T6oGDbgwJd1HenZW9US1k8qYJF08DVeSLPuW/XnyYSWAMqpW/iJDqjtbDijcntRwVUM3Qt"
    "0n+1getAygzlC6VJqjak2+x7F7b8dbEOY6H2xs0UnX7xZoUXb2Iux0awx24RV8oh13c6mx"
    "NLyoYQ4+6xKrPTtJrTTea06UDOA9U3Yyap2qC9du2g6aOYYugPMyhfKVFuHYLc7n0UKVq9"
    "jzZ5Hw3D8Gqh3CRVK4Ixe06IjMXdn5gPGcu6OzDIq6ZDJqUtkQ151b+96r8fPFcyZB95tj"
    "nr5JyFBT3dsiMwGI157NirGNOa0w51XYwn1sXgqo/m3oAsuSwWkbRwK93JqzXEj0oB4WB4"
    "C9F9c3xcJYx9fFwcxxZ96aIMmOUeexUncsZIdCanYibnsxZxePg/VSyidQ=="
)
