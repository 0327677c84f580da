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
    "eJztXW1z2rgW/isavrSdIZ2UvDR3+4mkdMttGzoJe3dntzuusEXwYCSvJZdw9+a/X0nY+E"
    "12bTDUePUpQdIji0cH6Zyjo+O/OwtiIYe+7Lv2B7Tq/AT+7mC4QPyfVE0XdKDrRuWigMGJ"
    "I5tC1zbmaCUL4YQyD5qMl0+hQxEvshA1PdtlNsGidR+D/uch4IA3gGBnBWxGwf37/knv4h"
    "LMIJ0BmwLKiIesl6JHi5i8Sxs/bAP2sf2XjwxGHhCbIY938cefvNjGFnpENPzozo2pjRwr"
    "QYBtiQ5kucFWriy7mUHvnWwpBjYxTOL4Cxy1dldsRvCmOR+3KH1AGHmQIStGCvYdJ+AvLF"
    "qPlRcwz0ebQVpRgYWm0HcEtQK9HkFU1jGM29HYuB+MDaOToT1ExMgMikyCxZTZmFH5/Rfw"
    "0XAQfmAz/vGs97R+TsTDupV44H/6dzfv+3fPz3ovxAMJn/e1QNwGNT1Z9SS7gAyuO5GsRz"
    "TLvxWIDtvXQ3VYEHEdSe3ByX51elqCbd4ql25ZJ/iO+HU9NLUfqzAcIdrI8WUZii/zGb5M"
    "E8zXIkOsPFUojmNat2Zcnpeg+PI8l2JRlaTY9JCgwoAsS/JbXsPsBVITnUSmqLYC6Mvwn2"
    "OUbv4FrRHfCYMpL6B+PPw0uB/3P30Wj1tQ+pcj+euPB6KmJ0tXqdLn6V/CphPw63D8HoiP"
    "4PfR7UDSSyh78OQTo3bj3ztiTNBnxMBkaUArJp1hacjak9iNp/PYRiEKJtCcL6FnGZka0i"
    "N5bbNVi94iXQIxfJBzJsgVwwy0Hi5UcAIpUmlEm7pCncgKWpVVikAIABR535AHbAwg4JPN"
    "+FQj7w3/MPEgNqWCA0E4CLC02Yx/dqGHMFPoS/X1q1Cl/ujM+JSvp95jnT+1aqVVqyZSfX"
    "lWZkc6y9+RztI7Eu+Z/3yqkBshWqhV1SXLEcF8qaJiSBUYjkE0xSUopgwyn1ZhOEK0kOD6"
    "LQM+LNvjymd1orPIwxHe8XyMBW1HyjryPOJlyR6jR5azMoeArTgOdrWmyHSR/j/4bZxQ/U"
    "MWn3/q//Yiof5/HN3+HDaPsX7zcXSdYjtUAMtK9kZhPJw8O8SEzmGkuX7TVyrWGX6HOEeW"
    "w+Ypevloj0+U+XD5n5Peq/PX51dnl+dXvIkc56bkdQHbw9txikqfW0BVVeI4poV7Xv2KsQ"
    "spXRJPYeDdI+ggK0dsY6hW0HzoZTi08o2qAp4BtoL+fUt5fFgVNI0U7IB74L62v0PL+QIt"
    "iLcyJiuGFAr1tf2QuzOmkS3aIf/V652dve6dnl1eXZy/fn1xdbrZKrNVRXvm9fBnsW0mZi"
    "G7j5quyph55xCYQ30ISFE+FYjjI72Av7ejX64/DsDnu8HN8H44uk261GWlKOIFNpMU3A36"
    "H9NWOYYunRFmVHOSpmBtMGX27mIS5FXaLCNEC3fJV72rMqZ47yrfFhd1qbUiPGioKM5pXP"
    "vk+arMWf9V/lH/Veakn9u5c2TxHa4K0QlQ+1iuf9UQhBno0bU9RLc4kFbAaziVbtgcHMkh"
    "dMhJ5hRaxx6U+6m1K/Yg4StyrS1nPYnUs96UWVf82IPRx51XItqhoqqSAOkdVL2DZuJ60q"
    "QrDEriIfsBf0AryfuQjxFiU6V9KwJzjovxp1CmwtJoiB5cbgJokqLGCeBfG4WG5P34bnjD"
    "TfX8gKnYnjazHYt3pfCgBMh3H+6QA3McVa3lW2mIq/xMFVi6D7o5wpU+l6Z9ht4NviH5oE"
    "zc3bqiWxR0h0STkhF34xkCxGcT8vgTIBgBjyyBizzg2FNkrvgyBmRvXbD0bMYQXkfEMY4y"
    "ZxA/IP4vZMCEPkUWsBWhd/t4QM3XGYr8pcr9TOElDX7azY0EO6CPND8UD31T7nEF4WIhoI"
    "WepvpPyTenWNVUtxRMK2/fd3+4cOUQqGD53/ej2zwFeQNJm0O2ycD/+IpIj3h7VFEryCg+"
    "+0ofc3WTxozoIH32pT0R+VJ/nDZpGU+EZVMXMnO21cRnwAfxNR5yez+Smc51NTbkwsvQQg"
    "uXcC3UXOVcBE61KNTD7ahtlYvB4PPofvyMgtijTvizpNYc3PrtrrVkcesXYrpEnurKy7bd"
    "KG+4BJebAxWB/7fbNZd/ir69Y9ReviadnI+yml4S1UKdun5Nb44qHSQGzVtIbe/iogS3vF"
    "UuubIuHcjEeaokwhGihRyXCT3IDzzIhB1wpafSfeywfQuZ7Z2elyFXNMuXX1mZpHhCrJVB"
    "Z7B3cVmF6RSshYTX793QF7X2fGWILDkdVfjdANrnMtpLGBg3klz+UJR7FS5XLVYgWxS5W9"
    "vdlg1NYn3N0lt09yIDbYNMHzouXfvm8kW9vb657cMAa48ALDHr2i13dG65kSvmfM19xiMX"
    "VXaLnHEkbFbSDTfCCCx8vtvy+QW8JS/ugjlyWeQzIz4zyQIBOGUiowwDUxvbdIZo1hu3c2"
    "86g18zHEP5Hrk5/5qVPEVB+xaaJvV74fTJ9qGY1kbgno1A7cbYsxvDQeIXv8PdFAVeX05p"
    "mmqqc91oI795S1t7jfzAGtlm2lNQvZY2bS1tiJl/xyf8hviYSfs2Y+jHq7tFpr4QHC5+sm"
    "VJa/8OcUGiwgrnhnoQHQMW0EIiUawom/gWt7yB5QtBkCVTm0saN9+xRZZZg7+ODpWBOFH4"
    "xsQ350j+otYYcTawa/pZHZezY1xO9ZgcHY9TyT6NpL70WfsG0UKC6zefEotJhuaiuzJp5F"
    "YnlI2j+8ckFxK7V4XledP+cJyfNniFbohCs7n0qNBm4hci81WZxO3LMrHDLuE8ntj4RGjS"
    "XSDskZP1G4IWfIyATAHc5MJ/RuW/qtjhbbtRqixW7IasZEFnyG/W0YV++ZBOkti+JIna0b"
    "5nTVFnjjtA5rjAZTpVObgLEsclYW1wc+/9PRD2f9E2GVWTuBZFZR7Y5AlUxy1mII3Uc7C1"
    "2amPdv6BRzs/MLimcbN82KRfccs4Sfs+0341jfSnULK+k/crJXCVM3/t09XzK5rMCJl3FJ"
    "6esKpb5OhZrhuV9vN4yES2eJEh9SeiaoIswEg6qxJ9I0NLKeLLMwOUCxQVFd4K8AEI+Erl"
    "/Km1bx242oQ1qFvg/fE9pwrPQfMWLvf7uiMa5WNLcpyfKyhC6FRBO6QKWq9NWeKL7oFFmF"
    "ZI+KGdbuJuwzeFPnNNiIMgVnMegVKcTzhqX6SHS/phSb8ejT4mSL8epln95dP14O75KzkD"
    "0TsytLGmjTW5/eqU3C2bdUVY3ia9bMlD7Phpk9S9baUPrUK+3sBoeRuo8kcoDXlW5V7T9q"
    "ZpyzcH48x+1yw0ktNa7vaiVCLBlHgyujDoqRvl1w0vHJKpNOS4RCDKAGQMLVxFIt/du/yC"
    "v+B+iHpGg96irwYeiOhBREh+lXXc0P8Knq+zB78AxLOQ9wZAIDsNjUwwgxRg8gWHiJfga/"
    "A2Fx8z2/kKbCrHJq91iJGJD0vizYWBi7Alwi9txrsoCLpcRiZ8+BgdxNAwM3YzMdl1r+Ds"
    "II7S5wbbnhvovM57zXykzmaSHzuyUwqTppGrw0Z+5Lpdf9RIoA1UyX4Uh+gA19ykRybXHy"
    "uwmsG1aP+rjVwHUmZUvl+aRLUh+ubQq7Dlr7O1GItqL9lN4fS7dku8axdzOTaCNXYLv5IC"
    "rq94NseXlHUhxs3jqpOdxuqZbvJMmw7kc1D1ZbhJVBt2r30baPooJp/643TKl4qbW7sgt3"
    "slSQqr19Emr6OhG76aKzeJaoUz5sDxkTG/+47hkbEgvCOjvGx0ZFLaEsGRN/37m/7bwY+K"
    "jewjzzZnHcVZWFDTLToCg1Gb7x175XNacxSiTpOxY5oMvvVR5YXIgrtjEaSFS+le3q4ifl"
    "QVGA6at5DdV6enZdzYp6f5fmxRl87RgJny2Cs/rjMG0YGdFQM7f2hOh6f/A+dOY2E="
)
