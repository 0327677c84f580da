"""Leases for operations and database locks, and each database's desired state.

Operations and locks carry a lease their process renews, so an abandoned one can be taken over
by any replica; `desired_status` is what the user asked for (running or stopped), which the
controller heals towards. One script per dialect, like the initial migration.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        ALTER TABLE "databases" ADD "desired_status" VARCHAR(16) NOT NULL DEFAULT 'running';
        ALTER TABLE "databases" ADD "lock_expires_at" TIMESTAMP;
        ALTER TABLE "operations" ADD "lease_expires_at" TIMESTAMP;
        UPDATE "databases" SET "desired_status" = 'stopped' WHERE "status" = 'stopped';"""

POSTGRES = """
        ALTER TABLE "databases" ADD "lock_expires_at" TIMESTAMPTZ;
        ALTER TABLE "databases" ADD "desired_status" VARCHAR(16) NOT NULL DEFAULT 'running';
        ALTER TABLE "operations" ADD "lease_expires_at" TIMESTAMPTZ;
        UPDATE "databases" SET "desired_status" = 'stopped' WHERE "status" = 'stopped';"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "databases" DROP COLUMN "desired_status";
        ALTER TABLE "databases" DROP COLUMN "lock_expires_at";
        ALTER TABLE "operations" DROP COLUMN "lease_expires_at";"""


MODELS_STATE = (
    "eJztXetz2rgW/1c0fNl0hnYS8rzbTySlW7Zp6CTsY3a74wpbgAcjeW25hLs3//uV5Lctuz"
    "YBYrz6lCDpyOKng85D5xz/01kSA1num75tfkTrzo/gnw6GS8T+yfR0QQfadtzOGyicWGIo"
    "tE1tgdaiEU5c6kCdsvYptFzEmgzk6o5pU5NgPrqPQf/zEDCCt4Bgaw1M6oKHD/3XvfMLMI"
    "fuHJgucClxkPGGz2gQnU1p4tkmxB42//aQRskM0Tly2BR//sWaTWygR+SGH+2FNjWRZaQA"
    "MA0+gWjX6NoWbTdz6LwXI/nCJppOLG+J49H2ms4JjoazdfPWGcLIgRQZCVCwZ1kBfmGTv1"
    "bWQB0PRYs04gYDTaFncWg5tb+CuK2jaXejsfYwGGtaJwd7SJEAM2jSCeZbZmLqiu+/hI+a"
    "hfCMztnH096T/5wYB38Uf+Cv/fubD/37o9PeK/5AwvbdZ4i7oKcnup7EFJBCfxKBegyz+F"
    "sD6HD8dqAOG2KsY67dO9gnx8cV0GajCuEWfRzvGF/bQVPzsQ7CMUUbMb6oAvFFMcIXWYDZ"
    "WaTxk6cOxEma1p0ZF2cVIL44K4SYd6Uh1h3EodAgzYP8jvVQc4nkQKcpM1AbAemb8J9D5G"
    "72BY0Rk4TBlpdAPx5+GjyM+58+88ctXfdvS+DXHw94T0+0rjOtR9lfQjQJ+G04/gD4R/DH"
    "6G4g4CUunTniifG48R8dviboUaJhstKgkeDOsDVE7YlL4+kiISh4wwTqixV0DC3XQ3qkaG"
    "y+a9lbZlsghjOxZxxcvsxA62FMBSfQRTKNKOor1YmMYFRVpQiEBMBFzjfkABMDCNhmU7bV"
    "yHnLPkwciHWh4EAQLgKsTDpnn23oIEwl+tL25pWoUn925mzL/a13aOcvpVop1aqJUF+cVp"
    "FIp8US6TQrkdjM7OdTB9yYooVa1bZ4OQaYHVUuX1INhBMkCuIKELsUUs+tg3BM0UKAt28Z"
    "sGWZDlM+6wOdp9wf4B3Hw5jDdqCoI8chTh7sMXqkBSdzSLARxoFUawpPl+n/g9/HKdU/RP"
    "HoU//3Vyn1/3Z091M4PIH6ze3oOoN2qABW5exIYdwfP1tEh9Z+uHn7pq9QrHP4DnEBL4fD"
    "M/Cy1R4eK7Plsj+veydnl2dXpxdnV2yIWGfUclmC9vBunIHSYxZQXZU4SdNCmbd9xdiGrr"
    "siTi0DL0nTQpBPeldVZFzvqljI8b6MbhEY6lpdjs4RthDx7bN1clk1VIsM2R6F3q7k3b71"
    "iyVaEmetTdYUSTToa3NWKAqzlC0Sif/p9U5PL3vHpxdX52eXl+dXx5FszHeVCcnr4U9cTq"
    "Z2IS84dVtmvby3CCyAPiTIQD7lFIcHegl+70a/XN8OwOf7wc3wYTi6S/vQRSdvYg0mFRDc"
    "D/q3WTMcQ9udE6rV84pmyNpgu+zcp8TBqyUsY4oWSsmd6CXRzUJNds7StY+fr6pc7l8V3+"
    "1f5a72mWG7QAaTcHWAThG1D+XtnxocMA092qaD3A1uoCXkW7iGbtgeHMitc4hJ7tpZBRtU"
    "+6m1K9gg5RyyjQ13PU2pdr0puy75sQerT3qreHhDTVUlRaQkqFyC5gJ5sqBLDEriIHOGP6"
    "K1wH3I1gixLtO+JZE4h4X4U8hTYWu8RAeuooiZNKsxANjXRqEh+TC+H94wU704Qioh0+am"
    "ZbCpJB6UgPL9x3tkwQJHVWvxlhriMj9TDZQegmkO8KQvhGmXsXaDb0g8KBdo53d0y6LsEB"
    "9SMcRuPEeAeHRCHn8EBCPgkBWwkQMsc4r0NTvGgJitC1aOSSnCfggcZVT6HOIZYv9CCnTo"
    "ucgApiTWbhcP2HL+Qpm/VCrPJF7S4Kfd3NCvPfpIi2Pv0DepjCuJDwsJWuhp2v61eHSLVU"
    "91y5Ap5e377g8bri0CJSj//DC6K1KQI5KsOWTqFPyPnYjuAYtHGbQcjPK7r+w1VzdtzPAJ"
    "sndfyhNRzPWHaZNW8UQYpmtDqs832vgc8V58jfsU7wey04WuxoZkuIxsvuU+9jnNO+4s1b"
    "5JOKyiBj5iSvHSo4wEzwAbyZq7YIFs6mvCPJWX6c86WSIAp5TnqlAwNbHpzpGbV7efPZvK"
    "DW6GrlGsRC/Y16wDdDi+hSr09hU7pULvC2myYmjUwTgiaB+6Owk6UJksO86psBD/xT/jEl"
    "xCr27Bm6aaqiyal4pyVZZ+8dHWXks/sEY22fYMqTpLm3aWNsTMv2cbfkM8TIV9mzP0k93d"
    "MlOfMw5jPzGyorV/jxgjudwKZ4Z6ULQLLKGBeAkK3jbxDGZ5A8PjjCBapibjNGa+Y4Os8g"
    "b/NiaUFrHg1Xh8a2bi6QskflE+DU/AfW5hi3/Lhdsz8/RKvADR9lT2A0QULdTut2+fxlxf"
    "FeCYooUAb998Sh0mOZjLLuWzlBslMTUO7pfJYuLSq8bxHI3fH+bHDT6hG6LQRNFVEm0mGX"
    "lVrMqkwryqVOayCcPxtYlfc026C7g98tqvPbpkawRkCmBUZesHV/wrK8S16TRSlcVIhOIJ"
    "FFTtrWZdXaiypiobu33Z2MrRvmNNUaWo7iFFNXCZTmUO7pIM1TRZG9zcO68wZ/4XbVK6IU"
    "2nCjdsavIEquMGO5ClVHuwsdmprnb+hVc7Lxhc07hd3m92YdIy3l9+YdNAr5pgmGG42imG"
    "u3T1/IYmc0IWHYmnJ+zqljl6Vv6gyn4eB+nI5CXSXW/CuybIAJRk07fctyK01EXseKbAZQ"
    "zl8g5nDdgCOPla5vzZ6twqcLUJZ1C3xPvjOVYdnIPhLTzue8dnVSw4PqwQbr8zU+Q3Svys"
    "mpQUU6icpGfkJPlnUy0PUETRRv4+r+ICYqOKufs85wTiyQzfJArMNSEWglgOc0yUgXnCqH"
    "aFc3iG75exr0ej2xRjXw+zvstfPl0P7o9OBOpx9T1lnSnrTMhbVeynZbsuicOLCldUvLVO"
    "Xi8JZduUOs1qVAIJrJR3ge5+gNzwIgVBsrAV239JZL9rB2rpba2Wrii0RjAljggnDGbqxp"
    "U7wgxDMhWWG+MI5FIAKUVLW1Ii5PlTfsFfcD+k+sENZou/GpgRPgMPifwq+phl/xUc+XVJ"
    "XgHiGP5Lv8SkoVXJ35wKMPmCQ4o34GtQJ9LD1LS+8peD8bWJPA6+Mv5hRZwFt2gRNni8pU"
    "nZFCVRlqvYZg8fo6IWGma3RhuTP/dKLguSVOqiYNOLAlUxZqcVYybEkNTJLQ4WCce3AlwV"
    "J/KS5/b2w0QCbUCCcOEhnSRREa3Zw5dZGTZ7As9xMSSel0JUc3Qtkn9bA9eCLtVqJ5Smqd"
    "oQbrPvU9jw/PIs2rLe6zsydOotHhXe4oEZH2vBGbuBX0lCrnI6m+NLyrsQk+Zx3c3O0qqd"
    "bvJO6xZke1D3NRtpqjZIr10baOoqphj6w3TKVwqU812QmxU7zNCqc7TJ52johq/nyk1Ttc"
    "IZs+eAyITf/ZnxkImouwODvGo4ZJrbUtGQN/2Hm/67wUsFQ/aRY+rzjuQuLOjpll2BwXjM"
    "9669ijHdctihqovxzLoYTPS50gzIkmSxmKSFR2nv/LxSMNZ5STDWec7Vyn5UNRAOhrcQ3Z"
    "PjKi8wZKOK/djHuVcY8tc+Sq+9igM5EyQqkrNmJOeLFnF4+j/ZlBwU"
)
