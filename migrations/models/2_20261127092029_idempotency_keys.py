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
    "21wFDj1acESY8sHh2kc46Ojv/uLIiFHPqy79of0KrzE/i7g+EC8X9SNV3Qga4blYsCBieO"
    "bApd25ijlSyEE8o8aDJePoUORbzIQtT0bJfZBIvWfQz6n4eAA94Agp0VsBkF9+/7J72LSz"
    "CDdAZsCigjHrJeih4tYvIubfywDdjH9l8+Mhh5QGyGPN7FH3/yYhtb6BHR8KM7N6Y2cqwE"
    "AbYlOpDlBlu5suxmBr13sqUY2MQwieMvcNTaXbEZwZvmfNyi9AFh5EGGrBgp2HecgL+waD"
    "1WXsA8H20GaUUFFppC3xHUCvR6BFFZxzBuR2PjfjA2jE6G9hARIzMoMgkWU2ZjRuX3X8BH"
    "w0H4gc34x7Pe0/o5EQ/rVuKB/+nf3bzv3z0/670QDyR83tcCcRvU9GTVk+wCMrjuRLIe0S"
    "z/KhAdtq+H6rAg4jqS2oOT/er0tALbvFUh3bJO8B3x63poaj+qMBwh2sjxZRWKL4sZvkwT"
    "zNciQ6w8KhTHMa1bMy7PK1B8eV5IsahKUmx6SFBhQJYl+S2vYfYC5ROdRKaotgLoy/CfY5"
    "Ru/gWtEd8JgykvoX48/DS4H/c/fRaPW1D6lyP5648HoqYnS1ep0ufpX8KmE/DrcPweiI/g"
    "99HtQNJLKHvw5BOjduPfO2JM0GfEwGRpQCsmnWFpyNqT2I2n89hGIQom0JwvoWcZmRrSI0"
    "Vts1WL3iJdAjF8kHMmyBXDDLQeLlRwAinK04g2daU6kRW0qqoUgRAAKPK+IQ/YGEDAJ5vx"
    "qUbeG/5h4kFsSgUHgnAQYGmzGf/sQg9hlqMv1ddvjir1R2fGp3w99R7r/KlVK61aNZHqy7"
    "MqO9JZ8Y50lt6ReM/856NCboRooVZVlyxHBPOlioohKTAcg2iKK1BMGWQ+VWE4QrSQ4Pot"
    "Az4s2+PKpzrRWeThCO94PsaCtiNlHXke8bJkj9EjK1iZQ8BWHAe7WlNkukz/H/w2Tqj+IY"
    "vPP/V/e5FQ/z+Obn8Om8dYv/k4uk6xHSqAVSV7ozAeTp4dYkLnMNJcv+krFesMv0NcIMth"
    "8xS9fLTHJ8p8uPzPSe/V+evzq7PL8yveRI5zU/K6hO3h7ThFpc8tIFWVOI5p4Z5Xv2LsQk"
    "qXxFMy8OKYFpL8qndVZY/rXRVvcqIupVsEhrqhKtEZYAsZr1+s48NSUC1SsANuevva7w6t"
    "XyzQgngrY7JiKEeDvrYfCrfCNLJFW+K/er2zs9e907PLq4vz168vrk43e2O2qmyTvB7+LP"
    "bJxCxkN07TzbNe3jkEFlAfAlKUTwXi+Egv4e/t6JfrjwPw+W5wM7wfjm6TPnRZKYp4gc0k"
    "BXeD/se0GY6hS2eEGWpe0RSsDbbL3n1KgjylzTJCtHCX3ItesjlZUBTnNK598nxV5XD/qv"
    "hs/ypztM8N2zmy+A6nQnQC1D6W6181BGEGenRtD9EtTqBz4DUcQzdsDo7k1DnkJHPsrIMN"
    "qv3U2hVskHAOudaWs55E6llvyqzn/NiD0ce9VSK8QVFVSYD0Dpq/g2YCedKk5xiUxEP2A/"
    "6AVpL3IR8jxGae9p0TiXNcjD+FMhWWRkP04HITMZMUNU4A/9ooNCTvx3fDG26qF0dIxfa0"
    "me1YvKscD0qAfPfhDjmwwFHVWr5zDfE8P5MCS/dBN0e40hfStM9Yu8E3JB+UCbRbV3TLou"
    "yQaFIxxG48Q4D4bEIefwIEI+CRJXCRBxx7iswVX8aA7K0Llp7NGMLrEDjGUeYM4gfE/4UM"
    "mNCnyAJ2TqzdPh5Q8/2FMn9p7n6W4yUNftrNDf06oI+0OPYOfcvd40riw0JACz1N9R+Lb0"
    "6x1FS3FEwrb993f7hw5RCYw/K/70e3RQryBpI2h2yTgf/xFZEe8faYR60go/zsK33M1U0a"
    "M6KD9NmX9kQUS/1x2qRVPBGWTV3IzNlWE58BH8TXeMjt/UhmutDV2JAbLkMLLVzCtVBzVX"
    "DzN9WiVA+3o7YqN4HB59H9+BkFsUed8GdJrTm45ttda8nimi/EdIm8vDsu23aTe6UluM0c"
    "qAj8v93utfxT9O0dw/SKNenkfFTV9JKoFurU9Wt6c6R0kBg0byG1vYuLCtzyVoXkyrp0IB"
    "PnSUmEI0QLOa4SelAceJAJO+BKj9IF7LB9C5ntnZ5XIVc0K5ZfWZmkeEKslUFnsHdxqcJ0"
    "CtZCwuv3buibWXu+I0SWnA4VfjeA9rmM9hIGxo0klz8UFd59K1SLc5Atityt7TLLhiaxvm"
    "bpLQ5JzwDbINGHjkrXnrliQW+vZ277IMDa4/8qzLp2yh2dU27kijlfc5/xx0WV3TJXHAmb"
    "VXTCjTACC5/vtXx+AW/Ji7tgjlwWecyIz0yyQABOmUggw8DUxjadIZr1xe3cm07Y1wy3UL"
    "E/bs6/ppKfKGjfQsOkfh+cPtc+FNPaBNyzCaidGHt2YjhI/OJ3uJmSg9dXU5qmmurUNtrI"
    "b97S1l4jP7BGtpn2FFSvpU1bSxti5t/xCb8hPmbSvs0Y+vHqbpmpLwSHi59sWdHav0NckK"
    "iwwrmhHsTGgAW0kMgLK8omvsUtb2D5QhBkydTmksbNd2yRZdbgr6PD3DCcKHhj4ptzJH9R"
    "a4w4Gdg126yOytkxKkc9IkdH4yjZp5HUVz5p3yBaSHD95lNiMcnQXHZTJo3c6nyycXT/mN"
    "RCYvdSWJ437Q/H+WmDV+iGKDSbK4852kz8OmSxKpO4e1klctglnMcTG58ITboLhD1ysn4h"
    "0IKPEZApgJvU98+o/DcvcnjbbnJVFit2P1ayoBPiN+voQr9rSKdIbF+KRO1o37OmqPPGHS"
    "BvXOAyneY5uEvSxiVhbXBz7/21D/Z/0Tb5VJO4FsVkHtjkCVTHLWYgjdRzsLXZqY92/oFH"
    "Oz8wuKZxs3zYlF9xyzhJ+z6TfjWN9KdQsr6T9SslcMp5v/bp6vkVTWaEzDs5np6wqlvm6F"
    "muG1X283jIRLZ4byH1J6JqgizASDqnEn0jQ0sp4sszA5QLFBUV3grwAQj4Ks/5U2vfOnC1"
    "CWtQt8T743uOCs9B8xYu9/u6IRplY0tyXJwpKELoREE7JApar01KHqANoo3yfVHFBcRbld"
    "zfzziBxGWGbzkKzDUhDoI4n+YIlKJ5wlH74jlcww8r2Nej0ceEYF8P077LXz5dD+6ev5Ks"
    "R6/E0NaZts7kfqszcLds1nPi8DbZZCueWsePl6Sybec6zRTS8wZWyttAdz9CaSgyI/eapT"
    "dNW7H9F2f2u3agkZzWatcVpdYIpsST4YRBT90onW54w5BMpeXGJQJRBiBjaOHm5O3dvcsv"
    "+Avuh6hnNOgt+mrggYgeREjkV1nHLfuv4Pk6WfALQDwLeW8ABLLT0KoEM0gBJl9wiHgJvg"
    "Yvb/Exs52vwKZybPIehxiZ+LAk3lxYtAhbIt7SZryLkijLZWSzh4/RUQsNs1s3E5Nd90oO"
    "C+IofVCw7UGBTuO810RHqslLdspZ0jRydZzIj1y36w8TCbQBlWRHcYiOaC3McWRy/VGB1Q"
    "yuRftfbeQ6kDJD+UJpEtWGcJtDr8KWv07PYizU3qmbwulX61Z4tS7mcmwEa+wWfqUcuL7T"
    "2RxfUtaFGDePVSc7jdUz3eSZNh3I50D13bdJVBt2r30baPooppj643TKVwqUW7sgt3sDSQ"
    "qr19Emr6OhG17NlZtEtcIZc+CAyJjffcd4yFjU3ZFRXjUcMiltiWjIm/79Tf/t4EcFQ/aR"
    "Z5uzTs5ZWFDTLTsCg1Gb7x17FXNac9ihzouxY14MvvXR3BuQJZfFIkgLl9K9vExF/KgUGA"
    "6at5DdV6enVdzYp6fFfmxRl07KgFnusVdxIGcMoiM5FSM5f2gSh6f/A2zAWb4="
)
