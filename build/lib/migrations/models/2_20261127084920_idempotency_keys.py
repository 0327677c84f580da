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
) /* The Idempotency-Key of a POST, per API key: its request and, once finished, its answer. */;
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
COMMENT ON TABLE "idempotency_keys" IS 'The Idempotency-Key of a POST, per API key: its request and, once finished, its answer.';"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "idempotency_keys";"""


MODELS_STATE = (
    "eJztXVtz2zYW/isYvdSZkTO2fN3kSXaURhvHytjqttOmw0AkZHFEASwBRtZ2/d8XAEnxTp"
    "MyJVMsnmwBOCD0nSPg3HD4d2dBDGTRt33b/IxWnXfg7w6GC8T/SfR0QQfadtguGhicWHIo"
    "tE1tjlayEU4oc6DOePsUWhTxJgNR3TFtZhIsRvcx6H8dAk7wHhBsrYDJKLj/1D/snZ2DGa"
    "QzYFJAGXGQ8VbMaBCdT2nih02IXWz+5SKNkQfEZsjhU/zxJ282sYEeEQ0+2nNtaiLLiAFg"
    "GmIC2a6xlS3brmfQ+ShHioVNNJ1Y7gKHo+0VmxG8Hs7XLVofEEYOZMiIgIJdy/LxC5q8tf"
    "IG5rhovUgjbDDQFLqWgFZQeysI2zqadjsaa/eDsaZ1UrAHFBEw/SadYMEyEzMqv/8CPmoW"
    "wg9sxj+e9J6854Q4eKPEA//Tv7v+1L87OOm9EQ8knO+eQNz6PT3Z9SSngAx6k0jUQ5jl3w"
    "pAB+PrgTpoCLEOpXbnYB8fHZVAm4/KhVv2CbxDfG0HTc3HKgiHFG3E+LwMxOf5CJ8nAeZ7"
    "kSZ2nioQR2lat2ecn5aA+Pw0F2LRFYdYd5CAQoMsDfIH3sPMBcoGOk6ZgNrwSd8G/+yjdP"
    "MvaIz4SeizvAD68fDL4H7c//JVPG5B6V+WxK8/HoienmxdJVoPkr+E9STg1+H4ExAfwe+j"
    "24GEl1D24MgnhuPGv3fEmqDLiIbJUoNGRDqD1gC1J3EaT+eRg0I0TKA+X0LH0FI9pEfyxq"
    "a7Fr1FsgVi+CB5JsAVy/S1Hi5UcAIpytKI1n2FOpHhjyqrFIGAAFDk/EAOMDGAgDObcVYj"
    "5z3/MHEg1qWCA0GwCLA02Yx/tqGDMMvQl+qbN0OV+qMz4yz3WO+wzp9KtVKqVROhPj8pcy"
    "Kd5J9IJ8kTic/Mfz5VwA0pWqhV1SXLIcB8q6JiSRUQjpAoiEtATBlkLq2CcEjRQoDrtwyQ"
    "4xAnje8YPbKcPSIg2Ahef39tCrpFmujgt3FMCQ1QPPjS/+1NTBG9Gd3+HAyPoH59M7pKoB"
    "2oImWFea267EyUOxbRodXZzZFXuxEmVbwUvkOcI8vB8AS8fLX7J8p8ufzPYe/49OL08uT8"
    "9JIPketct1wUoD28HSegdLkuXlU5i9K0cPetX0WzIaVL4lQyNaI0LQT5uHdZ5ozrXeYfcq"
    "IvjnNgYGpVJTpF2ELE6xfr6LIqqBYJsh0eets673atXyzQgjgrbbJiKENpvjIfco/CJGWL"
    "jsR/9XonJxe9o5Pzy7PTi4uzy6P12ZjuKjokr4Y/i3MyxoX0wanbWQbLR4vAHOgDggTkU0"
    "Gxf6AX4Pdh9MvVzQB8vRtcD++Ho9u4N1d2iibeYDIJwd2gf5M0CDG06YwwrZp/LkHWBttl"
    "694NAV6lwzKkaOEpuRW9ZO3jrijOSbr2yfNlmTDzZX6U+TIVZOaG7RwZ/ISrAnSMqH0o17"
    "9rqDBoPvTtCoPGnAW2sSHX45SK603heoBRhO3+6qPeCxF4rXh0xYjUjpq9o6ZSDJKgZxgY"
    "xEHmA/6MVhL3IV8jxHqWNpaRI7BfiD8FMhW0hkt04HIdy4+LGgeAf20UGBb347vhNTfd8n"
    "M3ImfazLQMPlWGRe1Tfvx8hyyY47hoLd6ZhlmW36ECSvf+NHu40+fCtM0soMEPJB+USgHy"
    "OrpF+T9IDCmZ/DOeIUBcNiGP7wDBCDhkCWzkAMucIn3FtzEgZ+uCpWMyhrCXnMM4lT6D+A"
    "HxfyEDOnQpMoCZkQW0jQfUnFld5D/LPM8yvGb+T7u5SSk79JnlZwWhH5lnXEHmSkDQQs9D"
    "/WHSdVSjmuqWIFPK2/PmsA1XFoEZKP/7fnSbpyCvSZLmkKkz8D++I9I9Ph6zoBVgFMdCkm"
    "GPbtyYERMkYyHKE5Ev9ftpk5bxRBgmtSHTZxsxPkVcA++f3/B2ebzvCaczvA+Nyr0fGmhh"
    "E66F6qucO4mJEYV6uBmOrXBHUSjMkacc8scAMgUQfB3dj7tSd/avIb6TNxAdxAWQMgCx0e"
    "Uato7A1MQm5cLelf0Q0yVyshXzLT0nM13fv6npKxn8v5fl7P9TNPYXJn7l6+JxfpTVFeNU"
    "LdTK69cV56hSaMof3kJoe2dnJbDlo3LBlX3J1BiOUyURDilaiHGZYHZ+KDsVyOZqU6XLpc"
    "H4FiLbOzotA64Yli+/sjMO8YQYK43OYO/svArSCbIWAl6/f0TdOtnyrROy5HBUwXdN0D6n"
    "01YSi7iZZfOHIi1PlHPV4gzKFuWC1nY9Yg2T2F/T8OYnOacI2yDRu85zVr69fEFvr28PPd"
    "omn20Drscpd8N15dbbO7feyBY897BPefTCzm6RM48Ew0q68UYYgYXLz1rOX8BH8uYumCOb"
    "eQFu4TEjLtPJAgE4ZaI4BgscajTtrHvxbKoYWTPcQvn+uDn/mpX8RP74Fhom9fvgVGR8V0"
    "grE3DLJqByYqjSGcrkUyZfY62BMiZfEDregO0J0p2kcjTmF9ggNjfd6LvjDL8mLmbS2kmZ"
    "fdHubpHhJwSHi58cWdL2u/NSJahMePaTKMACGkhUQBRtE9fgdhgwXCEIsmVqcknjxhw2yD"
    "Jt/tUxYWZSRhjKn7j6HMlflEcj/MQvrauocjRemKNRPT9D5WZUslZCqS8dd11TtBDg+pXp"
    "2GaSgrno5kWScqNoVePgfp3SJeL0qrA9r8fvDvOjBu/QDVFo1lfoMrSZ6PW6fFUmdpevTG"
    "Fom3AcD018KDTpLhD2yKH36osFX6OXLhr4yH6i8t+sOtCbTpOpshiR+5YSBVX6uVmObPVW"
    "DVWCrX0l2JTbdcuaoqpLtYO6VL7LdJrl4C4oSxUna4Obe+sFzs3/ok3qNcbpWpSht2OTx1"
    "cdN+BAklLxYGOzU4V2/oGhnVdMtWgcl3dbQipqGcdh32YRqaaB/hRI1jNVpBICV7mO1DZd"
    "Pb+iyYyQeSfD0xN0dYscPUtvUGk/j4N0ZIo3dFF3IromyACMJGv00Pcy0ZAivj0zQLlAUd"
    "HhrABfgCBfZTl/ap1bpTE2YQ/qFnh/XMeqgrM/vIXb/bbuC4bVveIY51eeCSlU4ZkXFJ7x"
    "9qZKHqA1RRvl+6yMC4iPKrjNnXICidT2HxkKzBUhFoI4G+aQKAHzhFNtC+dgD9+tYF+NRj"
    "cxwb4aJn2Xv3y5GtwdHEvUw5L7yjpT1pk8b1VF55ZxPSMPb12dtGTUOhpeksq2mek0q1Du"
    "1bdSPvi6+x5KQ54ZudWqr0nY8u2/KLLP2oFanK3lLq9JrRFMiSPTCf2ZumF51uC+GZlKy4"
    "1LhKwOxRha2Bl1YF8+5Tf8DfcDqp+oP1v41cADETOIlMjvso9b9t/BgVd89g0gjuG9c1pO"
    "GliVYAYpwOQbDijegu/+yyFczEzru3g3tVgbVz+oXJn4sCTOXFi0CBsi39JkfIqCLMtlaL"
    "MHj1FZCw2zW9eMSe97BcGCKJUKFGwaKFBlgbda9qZqKYsXVbBoGrgqT+Q19+3600R8baBK"
    "6Zsoicpoza14o3P9sQKqKboWnX+1gWtByrTKF0rjVG1It9n1Lmy4XrEObVHtnZ0JOvXqzh"
    "Kv7sRcjjV/j93Ar5RBru50NseXlHYhRs3jqsxO0ipON5nTugU5D6q+WzNO1YbTa9sGmgrF"
    "5EO/n075UolyngtyszdaJGjVPtrkfTRww1dz5capWuGM2XFCZMTv/sJ8yEjW3Z5BXjYdMi"
    "5tsWzI6/79df/D4LWSIfvIMfVZJyMW5vd0i0JgMBzzXNgrH9Oa0w5VXYwX1sXgRx/NvAFZ"
    "cFksJGnhVrqVV2uIH1UFhP3hLUT3+OiojBv76Cjfjy36kkUZMMsMe+UnckZIVCZnxUzOVy"
    "3i8PR/ZTC5jw=="
)
