"""Secrets at rest: database passwords and webhook secrets become sealed text (see
app/models/sealed.py), longer than the plaintext columns allowed. SQLite does not enforce
VARCHAR lengths, so only PostgreSQL needs its columns changed; the values themselves are
sealed by the server at start-up (`seal_legacy_values`).
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        SELECT 1;"""

POSTGRES = """
        ALTER TABLE "databases" ALTER COLUMN "password" TYPE TEXT USING "password"::TEXT;
        ALTER TABLE "webhooks" ALTER COLUMN "secret" TYPE TEXT USING "secret"::TEXT;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        SELECT 1;"""


MODELS_STATE = (
    "eJztXV932rgS/yo6vGxyDulJSZrmbp9ISrds05CT0Lt7drvHFbYIuhjJa8kh3L357lcSNv"
    "7v2gSIcfUESBpZ/DSWZkYzo39aM2ohm73qOvgTWrR+Bv+0CJwh8SVR0wYt6DhhuSzgcGSr"
    "ptDBxhQtVCEcMe5Ck4vyMbQZEkUWYqaLHY4pka27BHRv+kAQvAOU2AuAOQN3H7tHnTdnYA"
    "LZBGAGGKcusl7JHi1qii4xuV+H2CP4bw8ZnN4jPkGu6OLPv0QxJhZ6RCz46UyNMUa2FQMA"
    "W7IDVW7whaPKLifQ/aBayoGNDJPa3oyErZ0Fn1Cyai7GLUvvEUEu5MiKgEI82/bxC4qWYx"
    "UF3PXQapBWWGChMfRsCa2kXo4gLGsZxvVgaNz1hobRSsEeUETA9ItMSuSUYcKZ+v8z+GjY"
    "iNzzifh50nlaPifEYdlKPvDf3dvLj93bg5POoXwgFfO+ZIhrv6ajqp5UF5DDZScK9RBm9V"
    "kB6KD9ZqAOCkKsQ67dOdivj49LoC1a5cKt6iTeIb6Oi8b4sQrCIUUTMT4rA/FZPsJnSYDF"
    "WmTIlacKxFGaxq0ZZ6clID47zYVYVsUhNl0koTAgT4P8XtRwPEPZQMcpE1BbPumr4Ms+cr"
    "f4g9ZA7IT+lBdAP+x/7t0Nu59v5ONmjP1tK/y6w56s6ajSRaL0IPkmrDoBv/WHH4H8Cf4Y"
    "XPcUvJTxe1c9MWw3/KMlxwQ9Tg1C5wa0ItwZlAaoPcndeDyNbBSyYATN6Ry6lpGqoR2a1z"
    "ZdNevMkiWQwHs1ZxJcOUxf6hFMBUeQoSyJaFVXKBNZfquyQhEICABD7gNyASYAAjHZXEw1"
    "ct+JHyMXElMJOBAEgwBzzCfitwNdRHiGvLS5fjNEqT9bEzHly6l3eesvLVpp0aqOUJ+dlN"
    "mRTvJ3pJPkjiR6Fq9PFXBDigZKVZvi5RBgsVQxOaQKCEdINMQlIGYcco9VQTikaCDAm9cM"
    "xLCwK4TP6kCnKXcHeMv1CJGw7SnqyHWpmwZ7iB55zsocEKyFsb+r1YWni+T/3u/DmOgfoH"
    "jwufv7YUz8vxpc/xI0j6B+eTW4SKAdCIBlOXslMO6On21qQns33Lx51VcJ1il8+ySHl4Pm"
    "CXjFaPePlcVwxcdR5/Xp29Pzk7PTc9FEjXNV8rYA7f71MAGlJzSgqiJxlKaBe97mBWMHMj"
    "anboaCd4egjawcto1QNQLmXS/DgZZvVGXwFGEj4N82l0eHVUHSSJDtcA/c1va3az6foRl1"
    "F8ZowVGGQH2B73N3xiRlg3bIf3U6JydvO8cnZ+dvTt++fXN+vNoq01VFe+ZF/xe5bcZmIb"
    "2Pmk6WMvPBpjAH+oAgAflYUuwf6AX4vR98ubjqgZvb3mX/rj+4jpvUVaUsEgWYKwhue92r"
    "pFZOoMMmlBvVjKQJsiaoMls3MUnwKm2WIUUDd8nXnfMyqnjnPF8Xl3WJtSI4aKjIzkm65v"
    "HzeZmz/vP8o/7z1Em/0HOnyBI7XBWgY0TNQ3nzq4YEzECPDnYRW+NAOoN8A6fSNZuDPTmE"
    "DjBJnULHzIlrT7We5f2ZZcelHJkS+bRSQamNIMnzlYrQJaZ4JAi3JRWsSnY7rxeDwVVsSi"
    "/6SaXty+eLnhATDuOCblqLWAms6AEJvSxDo8hV5bJIG6TObczgucJpipCzDr4BnQY3Da5a"
    "ThinjgHHXMipVRg4k1aDnAbZhowb0OT4Aa0ja6Wo9SZc500YWzZSr4VTeR9OkuqtuMJWrN"
    "1r8xe0ZrnXxo5DHWvNWY9T6lmvy6xnLLL+6KPns9Kht6I1LkakjUTZRqKU63oS9IwzE+oi"
    "fE8+oYXCvS/GCImZZWDO8D3fL8SfAp4KSsMhunC+8hGPs5oAQPxtFJyV3A1v+5di88qPCY"
    "jsaRNsW6KrDDnCp/zw6RbZMOcstrF4ZyqIWUepFVC687vZw5U+F6ZtRpf0HpB6UCq0ZFnR"
    "LoorQbJJyaCS4QQB6vERffwZUIKAS+fAQS6w8RiZC7GMAdVbG8xdzDkiy6APLqjMCST3SH"
    "yFHJjQY8gCOCO6ZBsP2HDEbpFLQOZ+lqF3+692fYMddugGkB9tgh4y97iCiIiAoIGHqZt3"
    "BF05alUT3RJkWnj7/gmfAxc2hRko/3o3uM4TkFckSXUImxz8T6yIbI+3xyxoJRgxnSfl3p"
    "X05GrHlRnZQdK9S1si8rl+P3XSMpYICzMHcnOy1sSniHdi493l9r4nM51r4q1JTHffQjOH"
    "CinUXOTkukm0KJTDcdi2Su4bcDO4G/7EQORRR+JZSmr2E9u0l1KyTGwDCZsjNyuqe91uMo"
    "O4/fw9voggvj0vkvtHkbefecqVL0nH56OspBenaqBMvXlJb4oq+cr5zRsIbefNmxLYila5"
    "4Kq6pK++wKkSC4cUDcS4jHdtvm9tyrNWCD2VUg4F7RuIbOf4tAy4slk+/6rKOMQjai0MNo"
    "GdN2dVkE6QNRDwzVs3dC6CLUfF07mAowq+K4LmmYy2EukglCRHPBTlZnvIFYszKLUvWNpL"
    "ZQWTXF/T8BaFF6dIm8DTuw691La5fFZvrm2uRuEPJWZdm+X2ziz3Kx21MmxxsrhdZID7Dx"
    "2VPQYX7GWBOXWngBJ1Tr3KiXiwZFKAeRsEzhDLH5w64guYTxAB0rn0sA0sDwHIAUyZ4zb9"
    "gK9EvRqgC1zk2NiEwLQhnsn8jLKJ+OdBekbBkhaW/xPa4MuNZKXlkTpDnCnTn43EKGSSR/"
    "VFdCxrZbYNMeAD2SB4goWRdShzQI5dhMCYuuqYnsOp+I9itBQgaE6A6xEwEXOCCBP/00Q6"
    "x3aNtKl8g6KYxEpAB+21ZlUmy9vLHczXbEfctrm2/rnG9m7NiLCxt06ITUilBby6CXgx5U"
    "0KEJWTA8SpmqA078AQpCSt52QIyKDXcWt1frlUnGHltKNxqia8XLuwSNVEax04cl6W+KR0"
    "17CyXaTB0qBZST12IBTLmccFCbkHMqyVkjaYIoeHnh7U4yadCS1ShhVL9XKMCWYTxNI+JM"
    "/uTat99ZCPtdr3IsqI9sfeFdL66HLLEqs+fN+yiUirBD+aSqAvIdBH07WYigYfTfvayDrT"
    "niDVa2nd1tKaqPm3YsIvqUe40m9Tin60ul2k6kvGEeynWpbU9m+RYCQmtXChqPsxHWAGLS"
    "Rv8JNlI88SmjewPMkIqmSMH+U5tGA5Ok8r/JvoMDN8JAw6GHnmFKk3akkjPdqeey+gjiZ5"
    "ZjRJ9UgSHUVSST8Nub60h/iKooEAb159ii0mKZiLMjwkKdfyq60d3C9z64PcvSosz6v2u8"
    "P8uMYrdE0EmlWqngxpJprGJ1+UieUMKhPx6lCB4xEmR1KSbgOpjxxRoZAAPBNjBHQs3dp8"
    "q+hPTH3Ninhdt5tMkcWK5HVSKOiri+t1dPGyVxe/9AKvb6+KQd2Y26u0oX3LkqK+0mcHV/"
    "r4JtNxloG7wJcsTtYEM/fWL+iWWW08u3Iy7BidzoRd5VIK/F+0zuWCcboGRW/uWMn0hfU1"
    "ZiBJqedgbUVfH6b9gIdp9Y5i2fttPWX+SSOfhn2b6cHrBvpTwFnfyQ+eYLjKGcK3aVz7DY"
    "0mlE5bGba1oKpdZFqbLxuVtqy5yET4AbmAeSNZNUIW4DSZfZm9U868DInlmQMmGIoBdXEW"
    "EAOQ5Issc9tG+9auwnVYg9oF9jbPtavg7Ddv4HK/rVxSYd72OMb5OYVDCp1S+BkphZdrUx"
    "r4onwxIU0jOHzXZs7llWsVjRYh0Q4tFsGSvrcGC62s5a/rzVXW9NVdTZv1DEfI1TU0Jd0G"
    "oud7SvbGmTa0Cvf6+ErLe1+U30NuyNMqt3q9TxK2fHUwiux31UIjPq3l4kWVEKnS+Uh/Tr"
    "+ndngPTxDiScfLdEFiahkHkHM0czIu/Hl+l1/JV9INqH5ifm/hXwP3VPYgfVK/qTqh6H8D"
    "B8tbhg4BdS3kynxGqtNAyQQTyAChX0lA8Qp8s6k5FQudRzi2v8nERnJsKpBGjkz+kAmbpI"
    "KLiCUdXjEXXRS4uc5DFT54jHYbqZkau5qY9LpXcHYQpdLnBuueG+j7n7aanyc762m+t86z"
    "Up3WDVztqPOS6/bm/XR8aaBKluQoiXYpzk2ObAr5sQKqKboG7X8bA1fn93mZVdjylvlxjF"
    "nGQvHBpjDPUTVOl4B+LAkbBf77wZeLqx64ue1d9u/6vg19ZblQlXE74m2ve5XAmgg+Nvw1"
    "dg27Uga5Dqqtjy0pbUKMqsdVJztJq2e6zjOtUz/uRkHTRzH50O+nUb6U39zSBLne1aUJWr"
    "2O1nkdDczw1Uy5capGGGN27B8Zsbs/0z0y4oS3Z5CX9Y6Mc1vMOfKye3fZfd97Kd/ILnKx"
    "OWllnIX5Ne2iIzAYtvnesVc+phv2QtSJSZ6ZmERsfSwzBLUgWi8kaeBSupVbWOVLVQFhv3"
    "kD0X19fFzGjH18nG/HlnXJrBiEZx575ft1Rki0Y2dFx84XzaLx9H9WIQqB"
)
