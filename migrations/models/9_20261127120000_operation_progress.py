"""Operations report how far long work has come (`progress`) and keep the caller's recorded
choices (`options`: an import's source without its credentials, `mask: false`); imported
databases keep where their data came from (`source_options`, and `source_uri` sealed while
a `refresh_every_s` schedule needs it); databases carry masking rules for the copies they
hand out, with their sealed key, and whether their own data is masked."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        ALTER TABLE "operations" ADD "progress" JSON;
        ALTER TABLE "operations" ADD "options" JSON;
        ALTER TABLE "databases" ADD "source_options" JSON;
        ALTER TABLE "databases" ADD "source_uri" TEXT;
        ALTER TABLE "databases" ADD "refresh_every_s" INT;
        ALTER TABLE "databases" ADD "masking_rules" JSON;
        ALTER TABLE "databases" ADD "masking_key" TEXT;
        ALTER TABLE "databases" ADD "masked" INT NOT NULL DEFAULT 0;"""

POSTGRES = """
        ALTER TABLE "operations" ADD "progress" JSONB;
        ALTER TABLE "operations" ADD "options" JSONB;
        ALTER TABLE "databases" ADD "source_options" JSONB;
        ALTER TABLE "databases" ADD "source_uri" TEXT;
        ALTER TABLE "databases" ADD "refresh_every_s" INT;
        ALTER TABLE "databases" ADD "masking_rules" JSONB;
        ALTER TABLE "databases" ADD "masking_key" TEXT;
        ALTER TABLE "databases" ADD "masked" BOOL NOT NULL DEFAULT False;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "operations" DROP COLUMN "progress";
        ALTER TABLE "operations" DROP COLUMN "options";
        ALTER TABLE "databases" DROP COLUMN "source_options";
        ALTER TABLE "databases" DROP COLUMN "source_uri";
        ALTER TABLE "databases" DROP COLUMN "refresh_every_s";
        ALTER TABLE "databases" DROP COLUMN "masking_rules";
        ALTER TABLE "databases" DROP COLUMN "masking_key";
        ALTER TABLE "databases" DROP COLUMN "masked";"""


MODELS_STATE = (
    "eJztXVtz2zYW/isYvdSekTOO7Dje5kl2lEaNY3lsZdtp02EgEpK4ogAWBC1ru/7vC0CkeG"
    "dIXWiKwZMtEAeEPhwB545/WnNiIMt51bXNT2jZ+hn808Jwjvg/sSdt0IK2HbSLBgZHluwK"
    "bVOboaVshCOHUagz3j6GloN4k4EcnZo2MwkWvbsYdO/6gBO8AwRbS2AyBzx87J503lyAKX"
    "SmwHSAwwhFxisxokF0PqSJJ5sQu9j820UaIxPEpojyIf78izeb2EBPyPE/2jNtbCLLiABg"
    "GmIA2a6xpS3brqeQfpA9xcRGmk4sd46D3vaSTQled+fzFq0ThBGFDBkhULBrWR5+ftNqrr"
    "yBURetJ2kEDQYaQ9cS0Arq1QyCtpam3Q6G2kNvqGmtBOw+RQhMr0knWCyZiZkjv/8cPmkW"
    "whM25R/POs+r9wQ4rHqJF/67e3/9sXt/dNY5Fi8kfN1XDHHrPenIR89yCMjgahCJegCz/F"
    "sCaL//bqD2GwKsA66tHOzXp6cF0Oa9MuGWzwTeAb42RWPzqQzCAUUTMb4oAvFFNsIXcYD5"
    "XqSJnacMxGGaxu0ZF+cFIL44z4RYPIpCrFMkoNAgS4L8nj9h5hylAx2ljEFteKSv/H8Okb"
    "v5FzQG/CT0ljwH+mH/c+9h2P18J143d5y/LYlfd9gTTzqydRlrPYr/EtaDgN/6w49AfAR/"
    "DG57El7isAmVbwz6Df9oiTlBlxENk4UGjRB3+q0+as/iNB7PQgeFaBhBfbaA1NAST0iHZP"
    "VNPpp35vEWiOFErpkAV0zTk3o4U8ERdFCaRLR+lisTGV6vokIR8AmAg+gjosDEAAK+2Iwv"
    "NaLv+IcRhViXAg4E/iTAwmRT/tmGFGGWIi/tbtwUUerP1pQv+WrpKWv9pUQrJVrVEeqLsy"
    "In0ln2iXQWP5H4yPznUwbcgKKBUtWueDkAmG9VjphSCYRDJAriAhA7DDLXKYNwQNFAgHev"
    "GfBpmZQLn+WBTlJWB3iLuhgL2A4UdUQpoUmwh+iJZezMPsFGGHunWl14Ok/+7/0+jIj+Po"
    "pHn7u/H0fE/5vB7S9+9xDq1zeDqxjavgBYlLPXAmN1/GwRHVrVcPPuVV8pWCfw7eMMXva7"
    "x+Dlsz08VubT5X9OOq/P355fnl2cX/Iucp7rlrc5aPdvhzEoXa4BlRWJwzQNPPN2Lxjb0H"
    "EWhKYoeA8IWsjIYNsQVSNgrnob9rV8rSyDJwgbAf++uTw8rRKSRoyswjNwX8df1Xw+R3NC"
    "l9poyVCKQH1lTjJPxjhlg07If3U6Z2dvO6dnF5dvzt++fXN5uj4qk4/yzsyr/i/i2IysQv"
    "Ic1e00ZeaDRWAG9D5BDPKxoDg80HPwez/4cnXTA3f3vev+Q39wGzWpy4eiiTeYTEJw3+ve"
    "xLVyDG1nSphWzkgaI2uCKrN3E5MAr9RhGVA08JR83bksoop3LrN1cfEstlf4joaS7Bynax"
    "4/Xxbx9V9mu/ovE55+rufOkMFPuDJAR4iah/Ludw0BmIaebJMiZwOHdAr5DrzSNVuDA3FC"
    "+5gkvNARc+LGS61W+XBW2aaEIV0gn1QqCLEQxFmxUiG62BKPOOG+pIJ1S7XrejUY3ESW9K"
    "ofV9q+fL7qcTHhOCroJrWItcCKHhHXy1I0ikxVLo20Qerczgyea5xmCNmb4OvTKXCT4Mrt"
    "xGHE1uCYcTm1DAOn0iqQkyBb0GEa1Jn5iDaRtRLU6hCu8yFsGhaSPwu79DkcJ1VHcZmjmL"
    "hURxqR00vZx359GNxmnBQJyvgvzNQZ+B+wTOcAd7Mc9AUk+cbtuB079nsRA8SN2x6aLjXL"
    "ec+idE1Q4qt2K1A05usy3UAWTaFUB3lyi5lDZ8bfp1HXSnPcZO8wCUK1wWy+wfhgzlCKjT"
    "Bvh4kRqi1mA88lh7C0WBMQKYGmhECj8oWyN/Zm5QtF4rtsY8NVj1KqVa/Lqqdojd7swwFn"
    "IkOppHsxQtSE02wfXq9ELl4c9CTiHwhF5gR/QkuJe5/PEWI9zWOekkx3WIg/+zzltwZTpH"
    "CxTnqLshoHgH9t5Ad/PAzv+9f88MpOcgydaVPTMvhQKRKER/nh0z2yYEZwWWPxTrV4p8WG"
    "lUDpwRvmAHf6TJj2mS7be0TyRYlc2dWDdl6iLBJdCmbJDqcIEJeNyNPPgGAEKFkAG1Gu/Y"
    "2RvuTbGJCjtcGCmowhvMpiZZxKn0I8QfxfyIAOXQcZwExJl93HC3ZcgiQvxjH1PEuxP3g/"
    "7Tw2ftnszQrjGrPTZ9Fj6hmXk+LpEzQwOmz3mS3ryPNyoluMTAlv3w9ZsuHSIjAF5WyzW4"
    "hkK4Nb3Zi6aoubskRkc/1h6qRFLBGG6diQ6dONFj5BXInTusrj/UBWOtNnXZMiNX0DzW3C"
    "pVB9mVG8L9YjVw43g75livmBu8HD8CcHhF51wt8lpWavUl97JSWLSn0QOwtE08rUbDpMal"
    "UaryChJyIIp8VWpWl+FHl7S29ftiQdXY+ikl6UqoEy9e4lvVTHXm4ZuoZC23nzpgC2vFcm"
    "uPJZPPmQ41SKhQOKBmJcJF0oO1kokSrEhZ5SNRT9/g1EtnN6XgRc0S2bf+XDKMQjYiw1Zw"
    "o7by7KIB0jayDgu7duqOJKey7zQxYcjjL4rgmaZzLaS+omV5Js/lKUWb4qJyYuQali4pJR"
    "KmuYxP6ahDcvHitB2gSerjoiS9nmslm9uba5GuVzFlh1ZZY7OLPcr2TUSrHFieZ2ngHuP2"
    "RU1A3O2csAC0JngGDpp14XeT5aMSkwWRv4wRCrD4zY/B+wmCIMRLbMcRsYLgKQAZgwx+36"
    "BV+x/GmALqDItkwdAt2C5lwUnBZd+Df3601zljRM8T2hBb7cCVZaudQdxBxp+rMQn4WoWi"
    "3/4QOLp6J8GJ/wkejgv8EwkXEsilqPKUJgTKh00zMo4pj5bAlAUJ8C6mIw5WuCsMO/p47U"
    "pSE10qayDYp8EUsB7fdXmlWRsrUv55iv2Ym4b3Nt/YunHtyeEWJjd5Oc4YBKCXh1E/Aiyp"
    "sQIEpXO4pSNUFprsAQJCWtbUoepdCrRPw6/7hk4YTSddSjVE34cVVhkaqJ1jqwxbqs8Eno"
    "rsHDdp4GS/xuBfXYAVcs5y7jJHgCRJ0OgttghmwWRHoQl+lkzrVIUSdFqJdjE5vOFDnJGJ"
    "KtR1NqXz3kY6X2vYgyouKxq0JauS73LLEq5/ueTURKJfjRVAJ1q1KVrmmbErF4pSrlhGlU"
    "kZzNU3Y2KIOm6p+pZKk9H+jNDcjwdPBNlj1GqiSIukkQNTFu3fMFvyYuZtKqkzBvhR+38w"
    "xcgnE4+8meBW1c94gzkiNsTxj5mUxgDg0kLuIWbSPXmCAGDFcwgmwZm08i+oKzHFkkzVy7"
    "GDA1aSpItRm5+gzJX9SKRsRxbnu9t8qh2jKHqnz+lMqdKmWVCbi+cF7EmqKBAO/eaBDZTB"
    "Iw59U1iVNuFE1eO7hf5vI2cXqV2J7X/avD/LTGO3RNBJp1gaoUaSZcvCpblIlUyiqS520T"
    "juOJiU+EJN0GQh85IVwhAeaczxGQsQjm9HwBPzny37Q8702HSRVZjFA1M4nCViKKctjt3G"
    "FX9jZadQmtuoS2/tZZ5V7as6Sobuas4GZOz2Q6TnPr5ERQRsma4NzZt2LpiFpOrlW6+HuE"
    "TtV/L3OhjflftMkd4VG6BuUsV6xkesL6BisQp1RrsLGir5xpP6Azrd65Wwd/rCfMP0nkk7"
    "Dvsyh+3UB/9jnrO1XxYwxXui7+Po1rv6HRlJBZK8W25j9q55nWFqtOhS1rFOnIfEQUOO5I"
    "PBohAzASrznuvJMh7A7i2zMDDmcoB8hLxwCfgCBfppnbdjq2CpCvwx7UzrG3udQqg7PXvY"
    "Hb/b4qqAW3FRSNDQsoVCHtbe7GlHtTEvjcezHXNI3g8KrNnKubk0saLQKiCi0W/pZ+sAYL"
    "paxl7+vNVdbUhXVNW/WUQMj15UsFwwbC/j0pe5upNrQSt1l5Sst7T5Q/QG7I0ir3eqlVHL"
    "ZsdTCM7HfVQi26rMWypKUQKYtYiXhOb6R2cPuUn9hMxqsiWXxpHQYgY2hup1xztf2QX/FX"
    "3PWpfnK80YKvBiZEjCBiUr/JZ1zR/waOVndrHQNCDURFFS85qK9kgil0ACZfsU/xCnyziD"
    "7jG52LmWl9E+W8xNxk+piYmfggypQJBRdhQwS8mowPkRPmughUeP81KmykZmrsemGS+16O"
    "7yBMpfwGm/oN1K1ne61KlV7rNztaZ6sCv3UDVwXqvOS+vfs4HU8aKFMbPEyiQoozS4LrXH"
    "4sgWqCrkHn387AVVWtXmYXNtxVVShtnrJRfLAIzApUjdLFoB8LwkaB/37w5eqmB+7ue9f9"
    "h75nQ19bLuTDqB3xvte9iWGNOR9r3h67gV0phVwl1dbHlpQ0IYbV47KLHadVK13nlVYFT6"
    "tR0JQrJhv6wzTKF4qbW5kgN7uwN0ar9tE676O+Gb6cKTdK1QhjTMXxkSG7+5bhkaEgvAOD"
    "vGh0ZJTbIsGR192H6+773kvFRnYRNfVpK8UX5j1p57nAYNDne26vbEx3HIWoCpNsWZiEH3"
    "1OagpqTrZeQNLArXQvdw+LH1UJhL3uDUT39elpETP26Wm2HVs8i1fFwCzV7ZUd1xkiUYGd"
    "JQM7X7SKxvP/Afwcyrw="
)
