"""Operations report how far long work has come (`progress`) and keep the caller's recorded
choices (`options`: an import's source without its credentials, `mask: false`); imported
databases keep where their data came from (`source_options`, and `source_uri` sealed while
a `refresh_every_s` schedule needs it)."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        ALTER TABLE "operations" ADD "progress" JSON;
        ALTER TABLE "operations" ADD "options" JSON;
        ALTER TABLE "databases" ADD "source_options" JSON;
        ALTER TABLE "databases" ADD "source_uri" TEXT;
        ALTER TABLE "databases" ADD "refresh_every_s" INT;"""

POSTGRES = """
        ALTER TABLE "operations" ADD "progress" JSONB;
        ALTER TABLE "operations" ADD "options" JSONB;
        ALTER TABLE "databases" ADD "source_options" JSONB;
        ALTER TABLE "databases" ADD "source_uri" TEXT;
        ALTER TABLE "databases" ADD "refresh_every_s" INT;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "operations" DROP COLUMN "progress";
        ALTER TABLE "operations" DROP COLUMN "options";
        ALTER TABLE "databases" DROP COLUMN "source_options";
        ALTER TABLE "databases" DROP COLUMN "source_uri";
        ALTER TABLE "databases" DROP COLUMN "refresh_every_s";"""


MODELS_STATE = (
    "eJztXW1z2zYS/isYfak9I2cc2XF8zSfZURo1juWxlWunTYeBSEjCiQJYErSs6/m/HwCR4j"
    "tD6oWmGHySBGBB6MES2F3sLv5pzamBTOdV18Kf0LL1M/inReAc8S+xmjZoQcsKykUBgyNT"
    "NoUW1mZoKQvhyGE21BkvH0PTQbzIQI5uY4thSkTrLgHduz7gBO8AJeYSYOaAh4/dk86bCz"
    "CFzhRgBziM2sh4JXo0qM67xGSyCbFL8N8u0hidIDZFNu/iz794MSYGekKO/9OaaWOMTCMC"
    "ADZEB7JcY0tLll1Pof1BthQDG2k6Nd05CVpbSzalZN2cj1uUThBBNmTICIFCXNP08POLVm"
    "PlBcx20XqQRlBgoDF0TQGtoF6NIChradrtYKg99Iaa1krA7lOEwPSKdErElGHCHPn/5/BJ"
    "MxGZsCn/edZ5Xj0nwGHVSjzw393764/d+6OzzrF4IOXzvmKIW6+mI6ueZReQwVUnEvUAZv"
    "lZAmi//W6g9gsCrAOurRzs16enBdDmrTLhlnUC7wBfy0Zj/FQG4YCiiRhfFIH4IhvhizjA"
    "fC3SxMpTBuIwTePWjIvzAhBfnGdCLKqiEOs2ElBokCVBfs9rGJ6jdKCjlDGoDY/0lf/lEL"
    "mb/0FjwHdCb8pzoB/2P/ceht3Pd+Jxc8f525T4dYc9UdORpctY6VH8TVh3An7rDz8C8RP8"
    "MbjtSXipwya2fGLQbvhHS4wJuoxqhC40aIS40y/1UXsWu/F4FtooRMEI6rMFtA0tUUM7NK"
    "ttsmremcdLIIETOWcCXDFMT+rhTAVH0EFpEtG6LlcmMrxWRYUi4BMAB9mPyAaYAAj4ZDM+"
    "1ch+x3+MbEh0KeBA4A8CLDCb8t8WtBFhKfLS7vpNEaX+bE35lK+m3matv5RopUSrOkJ9cV"
    "ZkRzrL3pHO4jsS75m/PmXADSgaKFXtipcDgPlS5YghlUA4RKIgLgCxwyBznTIIBxQNBHj3"
    "mgEfFra58Fke6CRldYC3bJcQAduBoo5sm9pJsIfoiWWszD7BRhh7u1pdeDpP/u/9PoyI/j"
    "6KR5+7vx9HxP+bwe0vfvMQ6tc3g6sY2r4AWJSz1wJjdfxsUh2a1XDz7lVfKVgn8O2TDF72"
    "m8fg5aM9PFbmw+UfJ53X52/PL88uzi95EznOdcnbHLT7t8MYlC7XgMqKxGGaBu55uxeMLe"
    "g4C2qnKHgPCJrIyGDbEFUjYK56Gfa1fK0sgycIGwH/vrk8PKwSkkaMrMI9cF/bX9V8Pkdz"
    "ai+10ZKhFIH6Ck8yd8Y4ZYN2yH91OmdnbzunZxeXb87fvn1zebreKpNVeXvmVf8XsW1GZi"
    "G5j+pWmjLzwaQwA3qfIAb5WFAcHug5+L0ffLm66YG7+951/6E/uI2a1GWlKOIFmEkI7nvd"
    "m7hWTqDlTCnTyhlJY2RNUGX2bmIS4JXaLAOKBu6SrzuXRVTxzmW2Li7qYmuFf9BQkp3jdM"
    "3j58siZ/2X2Uf9l4mTfq7nzpDBd7gyQEeImofy7lcNAZiGnixsI2eDA+kU8h2cStdsDg7k"
    "ENrHJHEKHTEnbjzVapYPZ5YtmzKkC+STSgWlJoIky1cqRBeb4hEn3JdUsC6pdl6vBoObyJ"
    "Re9eNK25fPVz0uJhxHBd2kFrEWWNEj4npZikaRqcqlkTZInduZwXON0wwhaxN8fToFbhJc"
    "uZw4jFoaHDMup5Zh4FRaBXISZBM6TIM6w49oE1krQa024TpvwtgwkXwtrNL7cJxUbcVltm"
    "Lq2jrSqBxeyjr268PgNmOnSFDG3zCsM/A/YGLnAFezHPQFJPnG7bgdO/a+iA7ixm0PTdfG"
    "5U7PonRNUOKrPlaw0ZjPy3QDWTSFUm3kKWcGyoP/B/Hgj3hcWMaGsx6lVLNel1lPkeO80Y"
    "ddQETMQEmDf4SoCVvYPuzQieiYOOhJxD9QG+EJ+YSWEvc+HyMketoZVkp4y2Eh/uzzlF8a"
    "DNGGi3UYSpTVOAD8byP/OPZheN+/5ptXdthRaE+bYtPgXaWoKh7lh0/3yIQZ7h6NxTvVBp"
    "XmrVECpQevmwNc6TNh2mcAW+8RyQclotdWFe280DUkmhSMWxtOEaAuG9GnnwElCNh0ASxk"
    "c4VvjPQlX8aA7K0NFjZmDJFVXBnjVPoUkgniXyEDOnQdZACcEsC2jwfsOClAntdR6n6Woh"
    "F4r3YeG79sPFWFnkbZAW3oMXWPywm68gka6K+xe1/ztS9oOdEtRqaEt+87EVhwaVKYgnK2"
    "qS1EspWNrW5MXbWRTVkisrn+MHXSIpYIAzsWZPp0o4lPEFdyjFTl9n4gM515ilSTtBF9A8"
    "0tyqVQfZmRTivWIlcOx0HbMum1wN3gYfiTA0KPOuHPklKzlzurvZKSRe4sSJwFstMSR2za"
    "TWqeCC9FmCci8G/bJYv4UeTtLe3v2ZJ0dD6KSnpRqgbK1LuX9GaolDuu17yB0HbevCmALW"
    "+VCa6si4cDcZxKsXBA0UCMizjwZ7vvJ5z3udBTKquZ376ByHZOz4uAK5pl86+sjEI8osZS"
    "c6aw8+aiDNIxsgYCvnvrhkp3sufEG3TB4SiD75qgeSajvQRTcSXJ4g9FmQllcrxUEpTKSy"
    "XppbKGSayvSXjzfLASpE3g6ardsJRtLpvVm2ubq1GEVYFZV2a5gzPL/UpHrRRbnChu5xng"
    "/kNHRY/BOXsZYEHtGaBEnlOv064erZgUYNYGvjPE6gejFv8CFlNEgPBfP24Dw0UAMgAT5r"
    "hdP+Arka8G6AIbWSbWIdBNiOciBaxowv+5nwGWs6SBxf+EJvhyJ1hpdaTuIOZI05+J+ChE"
    "Hln5hXcsakVCHz7gI9HAf4KBkXEs0syObYTAmNrymJ7BGf+PfLQUIKhPge0SMOVzgojD/6"
    "eOVBr/GmlT2QZFPomlgPbbK82qSCLJlzuYr9mOuG9zbf3TGR7cmhFiY3eTKL6ASgl4dRPw"
    "IsqbECBK5x+JUjVBaa7AECQlrW2SkKTQq9DYOr9cMpS5dGbjKFUTXq4qLFI10VoHlpiXFT"
    "4J3TWobOdpsNRvVlCPHXDFcu4yTkImQETOU9IGM2SxwNODukync65FiswFQr0cY4KdKXKS"
    "PiRb96bUvnrIx0rtexFlRPljV4W0Orrcs8SqDt/3bCJSKsGPphKoe06qPJq2bComr1R2nD"
    "CNyouzecjOBomJVEYiFSy15w29uQ4Zng6+ybTHSJUEUTcJoibGrXs+4dfUJUxadRLmrXB1"
    "O8/AJRiHs59sWdDGdY84IznC9kSQH8kE5tBA4mpcUTZyjQliwHAFI8iSMX4S3hec5egiae"
    "baRYepQVNBqM3I1WdIvlErGuHHue2FuyqGassYqvLxUyp2qpRVJuD6wnERa4oGArx7o0Fk"
    "MUnAnJfXJE65kTd57eB+meuUxO5VYnlet68O89Mar9A1EWjWCapSpJlw8qpsUSaSKatInL"
    "dFOY4nmJwISboNhD5yQrlCAvCcjxHQsXDm9M4CfnLk17Q47027SRVZjFA2M4nCViKKOrDb"
    "+YFd2fsh1bWQ6lrI+ltn1fHSniVFdVdeBXfleSbTcdqxTo4HZZSsCYc7+1YsHZHLyTVL3z"
    "IRoVNXTJS5YgL/F21ya2+UrkExyxUrmZ6wvsEMxCnVHGys6KvDtB/wMK3esVsHv60nzD9J"
    "5JOw7zMpft1Af/Y56ztZ8WMMVzov/j6Na7+h0ZTSWSvFtuZXtfNMa4tVo8KWNRvpCD8iGz"
    "juSFSNkAEYjeccd95JF3YH8eWZAYczlAPkNUCAD0CQL9PMbTvtWznI12ENaufY21zbLIOz"
    "17yBy/2+MqgFtxUU9Q0LKFQi7W1uq5NrUxL43Jvq1jSN4PCqzZyru0xLGi0CogotFv6Sfr"
    "AGC6WsZa/rzVXW1IV1TZv1FEfI9eVLBd0Gwud7UvbGqTa0ErdZeUrLe0+UP0BuyNIq93qp"
    "VRy2bHUwjOx31UItOq3FoqSlECmTWAl/Tq+ndnD7lB/YTMerJFl8ah0GIGNobqVcc7V9l1"
    "/JV9L1qX5yvN6CvwYmVPQgfFK/yTqu6H8DR6u7tY4BtQ1kiyxeslNfyQRT6ABCvxKf4hX4"
    "ZlJ9xhc6lzBsfhPpvMTYZPiYGJn4IdKUCQUXEUM4vGLGu8hxc10EKrz/GOU2UjM1dj0xyX"
    "Uv5+wgTKXODTY9N1C3nu01K1V6rt9sb52tEvzWDVzlqPOS6/bu/XQ8aaBMbvAwiXIpzkwJ"
    "rnP5sQSqCboG7X87A1dltXqZVdhwV1mhtHnKQvHBpDDLUTVKF4N+LAgbBf77wZermx64u+"
    "9d9x/6ng19bbmQlVE74n2vexPDmnA+1rw1dgO7Ugq5Cqqtjy0paUIMq8dlJztOq2a6zjOt"
    "Ep5Wo6Cpo5hs6A/TKF/Ib25lgtzswt4YrVpH67yO+mb4cqbcKFUjjDEV+0eG7O5bukeGnP"
    "AODPKi3pFRbos4R153H66773sv5RvZRTbWp62UszCvpp13BAaDNt879srGdMdeiCoxyZaJ"
    "SfjW56SGoOZE6wUkDVxK93L3sHipSiDsNW8guq9PT4uYsU9Ps+3Yoi6eFYOw1GOvbL/OEI"
    "ly7Czp2PmiWTSe/w8mYWHi"
)
