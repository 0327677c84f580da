"""Databases keep the pool space their volume holds alone and when it was measured, which
the background measurements (`SpaceMeter`) write and a project's disk usage reads."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        ALTER TABLE "databases" ADD "measured_at" TIMESTAMP;
        ALTER TABLE "databases" ADD "unique_bytes" BIGINT;"""

POSTGRES = """
        ALTER TABLE "databases" ADD "measured_at" TIMESTAMPTZ;
        ALTER TABLE "databases" ADD "unique_bytes" BIGINT;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "databases" DROP COLUMN "measured_at";
        ALTER TABLE "databases" DROP COLUMN "unique_bytes";"""


MODELS_STATE = (
    "eJztXW1z2zYS/isYfak9o2Qc+SW+9JPsKK2vjuWxnWunTYeBSMhiTQEsAVrW9fLfDwBJ8Z"
    "0haZGmGORLbAAL0g+Wi93FYvefwZIYyKKvx7b5C1oP3oF/BhguEf8h0TMEA2jbYbtoYHBm"
    "yaHQNrUHtJaNcEaZA3XG2+fQoog3GYjqjmkzk2AxeozB+PoCcAJA5oBgBGyH/IV0BlYmW8"
    "gGqhMbgT0HQWMIVo7JECAOgMbSxPs/8hHWGpiMgtufx69GxyfisQbR+XNNfN/IEz7jBaQL"
    "YFJAGXGQ8RqMgYMeyQMy5FMog2s6BHM+BVsgAF3DZIDDYFpDMHMZ4M/CFGDCFvwNX4v3db"
    "H5t4s0Ru4Rp3D4W//xJ282sYGeEA1+tR+0uYksI7YwpiEmkO0aW9uy7XwBnQ9ypMBipunE"
    "cpc4HG2v2YLgzXAOlWi9Rxg5kCEjsljYtSx/XYMm7115A3NctHlJI2ww0By6llhyQe29Qd"
    "g20LSr6Z12O7nTtEGKHQKKyPr5TTrBgpVMzKj8+5fwSbMQvmcL/uvh6Kv3nBAHb5R44H/G"
    "N+c/j2/2Dkf74oGE86PHqFd+z0h2fZVTQAa9SSTqIcw+y2jV4I5TbQf2oKEAd/7cv175vx"
    "6If4OdWoUQdfl/BbyD8U0hHcqw1ln8zcFBCXT5qFx4ZV8cXyn3qgC8IWgP4YEUw+1w8GkJ"
    "iE9zAT5Nwms7aG4+VRMYAUUfWfikDAef5DPwSRJgvttqYi+uAnGUpncb4clRCYhPjnIhFl"
    "1xiHWuFHEoNMjSIL/nPcxcomyg45QJqA2f9HXwwy5yt9AXp1w59Je8APq7i4+T27vxx2vx"
    "uCWlf1sSv/HdRPSMZOs60bqX/BI2k4BfL+5+BuJX8Pv0aiLhJZTdO/KJ4bi73wfinaDLiI"
    "bJSoNGhDuD1gC12KqjJ9vks9VY9TjlFlbdf92uLPqOLHKASeEqW5AyzaW1vu4krVrpLq+0"
    "b57WWOc4pVrlrq2ycAzMHyI2q2iYQf1hBR1DS/WQEckbm+5ajpbJFojhvVwkgaZ4z8AxJJ"
    "wcE8ycbLdR2DssdB2JcZpF7sv5jqYYgaXLIOMLLH08OrSsd2C1IGCPq3nDwNGzP+RtkIE9"
    "PhsnHQIGnXskmhdkBUwGEOc943XKc9TA/Fv29JyZ9xeYVfD1cLZPfqP+B9ldDfdevMKrf4"
    "1Gh4dvRweHJ6fHR2/fHp8enPKx8n3TXW8LPuuzi58uru7iX6loKHYAVZecbeq9ra5Hf9Ve"
    "YRtW8/CFFLVsyY5thk37817Mi/ptnHffeR2RVXIbqgJxSNFDv9P2nSLe/l4F4JCif3JidH"
    "xcAmA+Khdh2ZdwTXO1y6UcQSPDQZ2r8ySovq387AIze/rP6M3R26PTw5OjjdqzaSnSdgLN"
    "JmoLUvF+FZg3pOihdNi++HUQ/zNp1V0uTtU/KbEdKdwRc5dr/nAGKRpkGLubvmGRqWv4o8"
    "qGSYCAAFDkPCIHmBhAwBFnHG/k/Mh/mTkQ6zIuAYLgJbwYBwhs6CDM0ibuFufNMG3/GCy4"
    "gu4p6g4bcEj/SGhzErs/VbCDCnZQwQ4q2GGzVxyW2SsO8/eKwyS4fGYuzqrAG1L0EODtcy"
    "/fOmhFozNCoiAuAbFn3FRBOKToIcDbDyfhr2U6yNCqA52mbDFAynExFrDtKOrIcYiTBvsO"
    "PeUY+RuCPhhJRd7zyW93Mcd5gOLex/Fv+zHn+eX06qdgeAT188vpWQLtQCEvy9kbBb49fr"
    "aIDq12uHn7rkFp6KTwzXVYBcNreao6xsrbdlS53CKtqhRHaXq4521fMaaujRyBWhrlM0Is"
    "BHGOahGlSyA944RNQb1paVcWn02nlzFZfHaRFLafPp5N+NYnseeDTBY7WY5ICEjpijgZtv"
    "UtghYycgRFhKoXjN32xhf4ubSqIiVF2Av4m5Yr0deqoNslyFrUOppSONrm8yVaEmetzdYM"
    "ZZgwRQFDScoe6SStBA9FgubtLPPxg0VgDvQBQQLyuaDYPdAL8Hs//XR2OQHXN5Pzi9uL6V"
    "WMyb3O+P55MxlfJlUWxEREXgbC/76dXuWoKxGaZEiWqTPwP2CZtF9QCzCKpUtSkAzjAVVi"
    "gqR0oRjadEGqng0kyPpguDfuUBXgVVJUQooeaihvRmUu5/FR+Z6nUeqC3uaYsyI7J+n6x8"
    "+nZW6bnuZfNj1N3TW1iC7uEczWVYCOEfUP5e1LDQGYVv/2Vga5uvLRtSsf6qLe97bKtkMY"
    "0gXyqUUudNLF6JSTroKTbqOwokfEbeIMWyM/BjWDtEem9Nbc+xucHhCy6+Ab0Clw0+BKcU"
    "IZsTU4Z1xPrcLAmbQK5DTI8g60uDrxiOreoI5Rq024y5uwaVhIfhZ25X04Saq24ipbMXEd"
    "HWlEvl41p1+KUrn+nuH689B0HTO9BkUnl3G6PhjxbR/pOGjO12VRQxfNoFQbeVrELCF94M"
    "/THNfKOjTLlzApQiVg6guYAMwHlOEjLJIwCUIlYmqcGnMIK6s1IZFSaCooNP5FqRon9EnK"
    "Hsnylk/olwhS16mVESlBqoy2LhttKn1h/ofX3zwurm3UXPU4pVr1rqx6xsfuv300sFbcRa"
    "56azVK1AfNsYkT5tSt+yToacQ/EAeZ9/gXtJa4X/B3hFjPik7JuDa/W4h/DXgqaA1f0YGr"
    "zTX2OKtxAPifjYIgt9u7m4tzrqTkpzOI7GkL0zL4VBm6o0/54ZcbZMGcINre4p15upSlYV"
    "dA6dafZgclfS5MTSbGmDwi+aBUVgyvY1iUEgOJISXzYdwtECAum5Gnd7KCh0NWwEYOsMw5"
    "0tdcjAE5m1fNgyHs5asQ5Tj0BcT3iP8IGdChyGALzIzEGE08QCV/7LR1mJ8QAz1m7nEFyQ"
    "MCgh5GYjZwZ1LlG3mBUMHNvaZqsCfIlMpcIu0lXFsEZqCcf7AQIXnWkULXREnbZwrK/5PP"
    "9bvpCSjj/zFMakOmL2otfIq4FQ9vm0rVjqx0roO3I0kALwy0tAnX/fV1TrnExIhC68cMx1"
    "Ypnwiup7d3P1AQedQr/ixpq/hlD4eebSIqGEJMV8jJSgNYd5rMrH9+CUhfRRDHss9K8fe9"
    "WDnPjGcoSF4fW4+yml6cqoeWzPY1vczQhcLs8T2FtpGc0EsuYkglFg4peojxtqsVQlapkF"
    "4wvofIjg6OyoArhuXzr+yMQzwjxlqjC+iXKS6LdIKsh4Bv36ekkiU2nLaPrHBW0qh8fDcE"
    "/XMZNXI5nRtJNn8oyk1HWRD1m6LsUaTYNgsheDAJ+ZqGtyjiNEXaB55uO+ZU+ebyWb2/vr"
    "kO3Vivc/yj3HJdd8v9m8wGGb440TwscsD9RWZlgw84exlgRZwHQLCMDtgU0djzmBSYbAiC"
    "EBTvF0ZsUQpytUAYiPuA+0NguAhABmDKHbftB3zG8tMAY+Ag2zJ1CHQLmktR0EMM4X95UM"
    "+Ds6Rhir8TWuDTtWAlL5CBIkal689C/C1EVRD5A59Y9IrklPyF98SA4AmGiYx9UTRk7iAE"
    "5sSRwREMipsa/G0JQFBfAMfFYMHXBGHK/04dNREn8d1VCNmWNZXvUOSLWK1Moj9eWVZl0t"
    "C/3MF8x3bEpt213U+GvnMyI8LGbp2sCCGVUvC6puDFjDehQFTO5xan6oPR3IIjSGpaz0nq"
    "lkGvbq11+eOSqWEq10WJU/Xh42rDI9URq3Vqi3Xx8EnZrmHnsMiCJcGwknbslBuWS5dBkR"
    "kZeCWgh+AB2SyM9CAu08mSW5EiE5QwL+cmNukC0XQMybNnU2ZfN/RjZfapeOxeI62OLhvW"
    "WNXhe8MuImUSfG8mgaqS2ObRtO0QsXiVcoFFaVQasPpXdmokelQZHtVlqYY39P4GZPg2eJ"
    "1lT5AqDaJrGkRHnFvX3lXtQYZrK+gaFjm2/Kvepe9EMYQhZu+kz0ncpQIUIQCxEeRmIPxD"
    "9hxSK7wJraBhQAWVg1dotiDkgQ5Trq6tP+EzFj4yE0uSv13CIAV7VwQjDiXhu9fSZPvKR9"
    "YhZ0K+j6xqedHtVhXtENTbrykqpt98S2mM8wtbJulUNHRWDuQn7Rm1QzOoe4Ry29lJBcOa"
    "9KHuSsRp1TrUXQdlEOUvSL8Moo4oyjecAc6Ji5lU7VLKcrS7UGEWjMS5UY4sqTXfIM5XVG"
    "isGAVX/sESGgiYXgjyzDW40gkMV/CFbJmbTyJMmXMgWaXPg7cxYWZ2gfBO+szVH5D8wjwa"
    "ceHJYSrZwIsmG6ieaEAlGah0fBlyfVmAQ4oeArz907WYMKmkfCUpa6lenYP7ZXQvsXtVEM"
    "+b8e1hftBhCd0RhWaTPzdDm4nm1s1XZWKJfMs4/2zCcXxl4ldCsx4Coae+8txxSyg8c3Nx"
    "68n3BvxA5Y9ZCZHqTpOpshiRZMsShWepKMpr1zOv3UsL+Ib9dtHXSmGcH8GQIGsP6sGgIa"
    "DbDmNQcVgNa4qPArhKgiOk6CPATQQTBq60eVb8U8FVozhZH6KgmjYsqUh66lqoah24GJ0q"
    "BVeltq3531qF4OJ0ysFf18hUpfhefg3UIUv+gvTrkKUjt106t8rtVuyK+iLisDdZs6troH"
    "8NOOsbRbsSDFe5bFeTzrVfvfCxQYZvLegaFrnWgvCzsp41B+nIfEQOoO5MdM2QARhJlkSi"
    "P8ooNoq4eGaAcoaiQNYfB/wFBPk6y9221blVlFwXZNCwwN+mSv68hIHnOlYVuP3hPdxkm0"
    "rwHJawK3t1JaRQdX6ecXXF2xHSwBclcQ1pesHhbTuXRYqHxwwtstBVFBK16CcKBPrOuomU"
    "iZwv1/trIqsq5n1b9Yx7WpuKvCWDNaKnqtLiMTM9lxVKHPum4nvfgNpBbsiz5RutdJyELd"
    "8IjyL7TWNciy9ruSROUomUOXZFFK0/0zAsSRzkXSJzL4cvX1rKAGQMLe2M2sfPn/Iz/ozH"
    "AdUP1J8t/NPAPREziEjgL7KPm3RfwJ5XcHkfEMdAjkgyLCcNTHuwgBRg8hkHFK/BF4voD1"
    "zQuZiZ1heRbVi8m8xuId5M/CKyKAu3AsKGCDM2GZ+iILh4FTpOgseoYJ2OOQ82C5OWewUn"
    "NlEqdVpT97RGlcJuNGludimS/BipZ9Uf6Rq4KjzqJeX29qOjfG2gylXdKIkK5M6tWKRz/b"
    "ECqim6Hu1/WwNXJd19GSlsuF7SWm2ZISg+WATmhQfH6RLQzwVhr8B/P/10djkB1zeT84vb"
    "C9+HvvFcyM64H/FmMr5MYI05H2u+jK3hV8ogVzl/uuNLSrsQo+Zx1cVO0qqV7vJKq3oM7R"
    "ho6igmH/rddMqXilb0XJC11j1Jq+Rol+Vo4Iav5sqNU/XCGdNyVGrE7/7MoNRI6OOOQV42"
    "JjXObbGQ1PPx7fn4/eSlIlLHyDH1xSDjLMzvGRYdgcFwzLeOvfIx3XLsp0oH88x0MHzro5"
    "kXfwvuSIYkPRSlo+PjMqGHx8f5kYeiL+Fq5R9VBYT94T1E983BQRk39sFBvh9b9CVzkWCW"
    "eeyVH9cZIVGBnRUDO180d8nX/wN2p3gU"
)
