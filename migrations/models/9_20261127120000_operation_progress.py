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
    "eJztXVtz27YS/isYvdSeUTKOfIlP+iQ7SuvWsTy2c9pp02EgErJYUwBLgpbVnvz3A4CkeG"
    "cIWqQpFnmJDWBB+sMS2P2wWPwzWBIDWe7rsW3+jNaDd+CfAYZLxH5I1QzBANp2VM4LKJxZ"
    "oim0Te0BrUUhnLnUgTpl5XNouYgVGcjVHdOmJsG89RiD8fUFYAKAzAHBCNgO+RPpFKxMuh"
    "AFrk5sBPYcBI0hWDkmRYA4ABpLE+9/z1pYa2BSF9z+OH41Oj7hjzWIzp5r4vtGnvAZL6C7"
    "AKYLXEocZLwGY+CgR/KADPEUl8K1OwRz1gVdIAA9w6SAwWBaQzDzKGDPwi7AhC7YG77m7+"
    "th8y8PaZTcIybhsLf+/Q9WbGIDPSE3/NV+0OYmsozEwJgG70CUa3Rti7LzBXQ+iJYci5mm"
    "E8tb4qi1vaYLgjfNGVS89B5h5ECKjNhgYc+ygnENi/x3ZQXU8dDmJY2owEBz6Fl8yLm0/w"
    "ZR2UDTrqZ32u3kTtMGGXUIJWLjFxTpBHNVMjF1xd+/hE+ahfA9XbBfD0df/edEOPit+AP/"
    "O745/3F8s3c42ucPJEwffUW9CmpGouqr6AJS6HciUI9gDlRGk4M7KbUd2MOCEtzZc/98Ff"
    "x6wP8NdmoUItTF/xJ4h+2bQjqaw1pX8TcHBxXQZa0K4RV1SXzFvCcD8EagPYQHYhpuR4NP"
    "K0B8WgjwaRpe20Fz80luwggl+qjCJ1U0+KRYgU/SALPVVuNrsQzEcZneLYQnRxUgPjkqhJ"
    "hXJSHWmVHEoNAgzYL8ntVQc4nygU5KpqA2AtHX4Q+7qN3cXpwy4zAY8hLo7y4+Tm7vxh+v"
    "+eOWrvuXJfAb3014zUiUrlOle+kvYdMJ+OXi7kfAfwW/Ta8mAl7i0ntHPDFqd/fbgL8T9C"
    "jRMFlp0IhpZ1gaopYYdfRkm6y3GqOelNzCqAev25VB35FBDjEpHWULulTz3Fpfd1pWjXSX"
    "RzpwT2uMc1JSjXLXRpkTA/OHmM/KC2ZQf1hBx9AyNWREitpmq5ajZboEYngvBomjyd8zJI"
    "Y4yTHB1MmnjaLaYSl1xNtpFrmvxh1NMQJLj0LKBlhwPDq0rHdgtSBgj5l5w5Do2R+yMkjB"
    "HuuNiQ4Bhc494sULsgImBYjpnvE6wxw10P+WmZ4z8/4CUwmuh6l9+hsNPsjuWrj3/BVe/W"
    "c0Ojx8Ozo4PDk9Pnr79vj04JS1Fe+brXpb8lmfXfxwcXWX/Ep5QTkBJD9ztmn3tjoe/TV7"
    "uW8ox/BFErV8yY4thk3zeS/Gon4b590nr2NzlViGZCCOJHrIO22fFPHXdxmAI4n+zROj4+"
    "MKALNWhQiLuhQ1zcwuz2UIGjkEdaHNk5L6tvGzC8rs2z+jN0dvj04PT442Zs+mpMzaCS2b"
    "uC/o8veTUN5Iooezw/anXwexP9OVXeWSUv2bJbYzC3fE3WWWP5xBFw1ynN1N3bDM1TWCVl"
    "XDJEAoAFzkPCIHmBhAwBCnDG/kfM9+mTkQ6yIuAYLwJfwYBwhs6CBMsy7uFvvNcW1/HyyY"
    "ge4b6g4dMEh/T1lzArs/VLCDCnZQwQ4q2GGzVhxWWSsOi9eKwzS4rGc2ncnAG0n0EODtay"
    "9bOlxJpzMmoiCuALHv3MggHEn0EODth5Ow1zIdZGjyQGclWwyQcjyMOWw7ijpyHOJkwb5D"
    "TwVO/kagD05SGXs++fUuQZyHKO59HP+6nyDPL6dXP4TNY6ifX07PUmiHBnlVzd4Y8O3ps0"
    "V0aLWjzdunBoWjk8G3kLAKm9diqjqmytsmqjzmkcoaxXGZHq552zeMbei6K+LkeHq3CFrI"
    "KFDbmFQvYG57Gg5ZF01WwTOCvYC/aS2Pv5aEpZESa3ENbGr5a1vPl2hJnLU2W1OUY1CXha"
    "+kJXu0QrYSyhIL4bbznJkPFoEF0IcCKcjnXGL3QC/B7/3009nlBFzfTM4vbi+mVwkl9yt5"
    "ESswqYDgZjK+THvlGNrugsiypSmxPrgyjVNMHDypxTKS6OEq+WZU5bgSa1Xsi48yR5Y2Gz"
    "+S6pyW658+n1Y5f3dafPzuNHP6jvm5PLJ6tpYBOiHUP5S3P2twwLT651lyxFUQfNeC4NXR"
    "pX/bKNsOoUjnyGedCkIsBHHhJnUklxriGRNsyirYlLQ7rmfT6WViSM8u0k7bp49nE2Ym7C"
    "cN3awXsTFY0SNiflmOR1EclZcj2iN3bmuE5wanB4TsOviGcgrcLLhiOnEpsTU4p8xOlVHg"
    "XFkFchZkcSqUB5M/orpnShPSahHu8iJsGhYSn4UtvQ6nRdVSLLMUE8/RkUbE6+XMYz/dTq"
    "8KVoqMZPoLM3UK/gcs093B2awEfQ5JObmd5rFT3wvvIE1uB2h6jim3e5aU64MT3/a2goPm"
    "bFwWNWzRHEm1kGenmCV0H9jzNMez8jZuimeYjKCaYOpPMCGYDyiHIyybYVKCaoqpsXPJIJ"
    "Q2ayIhZdBIGDQqyVTxxN7f0/aebdQc9aSkGvWujHqO1xi8fTzgjJ8Ykz1bFBfqw2rWxK5X"
    "5mxkGvQs4h+Ig8x7/DNaC9wv2DtCrOftmOccbtwtxL+GOhWWRq/owNXmsGFS1RgA7M9GYf"
    "DH7d3NxTlbvIoPncbWtIVpGayrHAsikPzw8w2yYEFwWW/xzmW882LDJFC6DbrZwZm+EKYm"
    "jy9PHpF4UObssl8xLDu4jHiTiqeW7xYIEI/OyNM7kWfdIStgI4d5f3Okr9k0BkRvfs51ir"
    "B/qpgnTdcXEN8j9iOkQIc8zyAwc44vN/EAlaKr03GNxceW0WPuGldyxDMU6GF0WAMnW9Sp"
    "8BcIX9rE+8vBnhJTJnOF5GRwbRGYg3Ix2RkTeRbN2bWppG2eU/E/xVq/m0xAFf7HMF0bUn"
    "1Ra+Azwq2ECrRpVO3ISBdGCnQkVdOFgZY2Yba/vi641CrVotT7MaO2Mpdcgevp7d13Log9"
    "6hV7lvBVgsuphr5vwu+ZgthdIScvWVPdbnJzMwUXdQUmAt8qelYipn+Ll/PMPdaSFMOJ8a"
    "hq6SWleujJbN/Sy91OLc3x21NoG8ncuWRTDJFS4Uiihxhv+04pSKWuOwrb9xDZ0cFRFXB5"
    "s2L9FZVJiGfEWGvuAgaXSVZFOiXWQ8C3zymplFYNJ1ciKwaHDL4bgf5RRo0cmGVOks0eig"
    "qThpVEImYkVSRibrpqHyY+v2bhLYuCy4j2QafbjoNT3FyxqveXm+vQKdo62z+Klus6LfcT"
    "mQ1yuDhePCwj4P4ks6rBB0y9DLAizgMgWEQHbFKd7/lKCkw6BGEIiv8LJTa/sGu1QBjwM0"
    "r7Q2B4CEAKYIaO2/YDPmPxaYjb5G3L1CHQLWguedp13oT95WHWdaaShsn/TmiBT9dclfxA"
    "BhdRV1B/FmJvwXO3ix9Yx7yWJ21jL7zHG4RPMExk7PPU7nMHoc2V9RTy6HH2tgQgqC+A42"
    "GwYGPC760nWEfq0voOeVPFhCIbRLnLrIL2yrOqkiz45TbmO7YiNk3Xdj9l7c7NGTE19uqc"
    "1I6klIHXNQMv4bxxA0I6x1RSqg9OcwtEkLC0npNoKkdepT/o8scl0lVIZ69PSvXh42qDke"
    "qI1zq1+bj4+GR816hyWObBkrBZRT82cQt1eMP0A7JpFOlBPKqTJfMieXYa7l7OTWy6C+R+"
    "407rOr0pt68b9rFy+1Q8dq+RVluXDVusavO9YYpIuQT/NpdA3WXV5ta07RA+eFL5ieIyKj"
    "VR/SM7NZLPqaxz6rBUwwt6fwMyAh+8zrCnRJUF0TULoiPk1rV/VHuQQ22FVcMyYis46l35"
    "TBRFGGL6TnBO/CwVcBECEBthbgbCPmSfkFrhTWiFGwVUuKLxCs0WhDy4wwzVtfUnfMacIz"
    "OxEPnLIxS6YO+KYMSgJGz1Wpp0X3FkHSITijmyl71svUNQb/+uPd795lvKYlx84VtaTkVD"
    "5+VlfdKecadejnSPUG75Xj2hsKb7UHckkrJqHOqOg3KIigekXw5RRwzlG6YA58TDVJh2GW"
    "M5Xl1qMHNFYtooWla0mm8Q0yuXW6wYhUf+wRIaCJh+CPLMM5jRCQyP64UomZtPPEyZaSBZ"
    "ZfeDt9FhbnaB6Ez6zNMfkPjCfBl+4MmhKtnAiyYbkE80oJIMSG1fRlpfFeBIoocAb393LT"
    "GZSBlfaclaplfn4H4Z24uvXhLT86Z9e5gfdHiG7ohBs8mfm2PNxHPrFpsyiUS+Vcg/mzAc"
    "X5n4Fbesh4Dbqa98Om4JOTM356eeAjbgO1f8mJcQqW43uSaLEUu2LFB4lomiWLuesXYvPc"
    "E3zNvFXyuDcXEEQ0qsPagHg4aAbjuMQcVhNWwpPnLgpCaOSKKPADcRTBhSafO8+KeSo0ZJ"
    "sT5EQTXtWLo86alnIdm7qRJy6noqmfs2zb9RHZI/KacI/rpOZmCs1xiBtKQaA7XJojZZJF"
    "J0dzrJwc4v6xn6J4t8FvYm7+zqGuhfQ836xqVdKYWTvrarSXLtFz98bJDDrYVVwzJqLQw/"
    "q8qsOUhH5iNygOvNeNUMGYCS9JVI7vciis1FbHqmwGUK5QJxJzJgL8DF13l021b7VlFyXZ"
    "iDhiV8m7ry5yUcPM+xZOAOmvdwkW0qwXN0hV3VoyuRhLrn5xlHV/wVIQt8WRLXSKYXGt42"
    "ucxTPDzmWJGlVFEk1CJPFE7oO0sTKRe5eF7vr4usbjHv26jnnNPa3MhbMVgjvqsqPB4zl7"
    "mUuOI4cBXfBw7UDmpDkS/f6E3HadiKnfA4st90xrXksFZL4iSMSJFjl0fRBj0NoyuJw7xL"
    "ZO7n8GVD61IAKUVLO+fu4+d3+Rl/xuNQ6js36C3608A94T3wSOAvoo65dF/Ann/h8j4gjo"
    "EcnmRYdBq69mABXYDJZxxKvAZfLKI/sInOw9S0vvBsw/zdRHYL/mb8F55FmdMKCBs8zNik"
    "rIuS4OJVRJyEj1HBOh0jDzYDk533SnZs4lJqt6bubo26CrvRpLn5V5EUx0g96/6RroGrwq"
    "Nect7efnRUYA3IHNWNi6hA7sIbi3RmP0qgmpHr0fq3NXBV0t2XmYUNz09aqy1zJooPFoFF"
    "4cFJuRT0cy7YK/DfTz+dXU7A9c3k/OL2IuDQN8yFqEzyiDeT8WUKa8z0WAvm2Bq8Uo64yv"
    "nTHS4pSyHG3WPZwU7LqpHu8kir+xjacdDUVkwx9LtJyleKVvQpyFrjnpZV82iX59GQhpej"
    "cpNSvSBjWo5KjfHuzwxKjYU+7hjkVWNSk9qWCEk9H9+ej99PXioidYwcU18McvbCgpph2R"
    "YYjNp8a9urGNMtx36qdDDPTAfDlj439+BvyRnJSKSHU+no+LhK6OHxcXHkIa9LUa3so5JA"
    "OGjeQ3TfHBxUobEPDop5bF6XzkWCae62V3FcZ0xEBXZKBna+aO6Sr/8HpAN1Ug=="
)
