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
    "eJztXW1z2zYS/isYfak9o2QcOXZ86SfZUVpfHTtjO9dOmw4DkZDFmgJYArSs6+W/HwCS4j"
    "tD0KJMMciXWAAWpB5Ai90Hi8U/gwWxkENfjl37F7QavAX/DDBcIP5HpmYIBtB143JRwODU"
    "kU2haxv3aCUL4ZQyD5qMl8+gQxEvshA1PdtlNsGi9RiD8cdzwAUAmQGCEXA98hcyGVjabC"
    "4LqElcBPY8BK0hWHo2Q4B4AFoLG+//yFs4K2AzCm5+Hr8YHR2Lx1rE5M+18V0rT/iM55DO"
    "gU0BZcRD1kswBh56IPfIkk+hDK7oEMx4F2yOAPQtmwEOg+0MwdRngD8LU4AJm/M3fCne18"
    "f23z4yGLlDXMLjb/3Hn7zYxhZ6RDT66N4bMxs5VmpgbEt0IMsNtnJl2dkceu9lS4HF1DCJ"
    "4y9w3NpdsTnB6+YcKlF6hzDyIENWYrCw7zjhuEZFwbvyAub5aP2SVlxgoRn0HTHkQjp4g7"
    "hsYBiXV7fGzeTWMAa56RBJJMYvLDIJFlPJxozK77+Aj4aD8B2b84+Ho6/Bc2Icglbigf8Z"
    "X5/9PL7eOxztiwcSPh+DiXoZ1oxk1VfZBWQw6ESiHsMcThlDDe601GZgjwoqcOfP/etF+P"
    "FA/Bvs1CjEqMv/FfCO2reFdKzDtj7FXx0c1ECXtyqFV9al8ZV6TwXgtcD2EB5INbydGXxS"
    "A+KTUoBPsvC6HprZj2oKI5Lo4xQ+rjODj8sn8HEWYL7aGmItVoE4KdO7hfD4dQ2Ij1+XQi"
    "yq0hCb3CjiUBiQ5UF+x2uYvUDFQKclM1BboejL6I9dnN3CXrzixmE45BXQ355/mNzcjj98"
    "FI9bUPq3I/Eb305EzUiWrjKle9lfwroT8Ov57c9AfAS/X11OJLyEsjtPPjFud/v7QLwT9B"
    "kxMFka0ErMzqg0Qi016ujRtXlvDUY9LbmBUQ9ftyuDviODHGFSOcoOpMzwaaNfd1ZWj3SX"
    "Rzp0TxuMc1pSj3LXRlkQA7P7hM8qCqbQvF9CzzJyNWREytrmqxajRbYEYngnB0mgKd4zIo"
    "YEyTHBzCumjeLaYSV1JNoZDrmrxx1dYQQWPoOMD7DkeEzoOG/Bck7AHjfzhhHRsz/kZZCB"
    "Pd4bFx0CBr07JIrnZAlsBhCfe9bLHHPUQv8bZnpO7btzzBS4Hj7ts7/R8AfZXQv3TrzCi3"
    "+NRoeHb0YHh8cnR6/fvDk6OTjhbeX75qveVPysT89/Or+8Tf9KRUE1AaSuObdp9251PPpr"
    "9grfUI3hiyUa+ZIdWwzb5vOejUX9Ns67T14ndJVchlQgjiV6yDttnhQJ1ncVgGOJ/umJ0d"
    "FRDYB5q1KEZV2GmuZml085glYBQV1q82Skvm387MJkDuyf0avXb16fHB6/Xps965Iqayey"
    "bJK+IBXvpzB5Y4keaofNq18P8a9JVVe5tFT/tMRmtHBH3F1u+cMppGhQ4Oyu64ZVrq4Vtq"
    "obJgEiAUCR94A8YGMAAUeccbyR9yP/MPUgNmVcAgTRSwQxDhC40EOY5V3cDfZb4Nr+MZhz"
    "Az0w1D024JD+kbHmJHZ/6mAHHeyggx10sMN6rTiss1Yclq8Vh1lwec9cnanAG0v0EODNz1"
    "6+dFBFpzMhoiGuAXHg3KggHEv0EODNh5Pw17I9ZBnqQOcltxgg5fkYC9h2FHXkecTLg32L"
    "Hkuc/LVAH5ykKvZ88tttijiPUNz7MP5tP0WeX1xd/hQ1T6B+dnF1mkE7Msjrzuy1Ab+9+e"
    "wQEzrbmc2bpwalo5PDt5Swipo3Yqo6NpU3TVT53CNVNYqTMj1c8zZvGFPfRZ5ALY/yKSEO"
    "grjEtEjKZZCecsG2oF6XbFcXn15dXaR08el5Vtl++nA64UufxJ43sllqZzmhISClS+IV+N"
    "Y3CDrIKlEUCaleTOxtL3wRz2WoqpScYC/gb1uvJF9LwbbLiG3R6mjL4Nj2PF+gBfFWxnTF"
    "UIELUxUwlJXskU2yleChRNC8W+Q+vncILIE+EshAPhMSuwd6BX7vrj6dXkzAx+vJ2fnN+d"
    "VlapIHlen183oyvsiaLIiJiLwChP99c3VZYq4kZLIhWbbJwP+AY9N+QS3AqNYuWUUyTAdU"
    "iQ6y2oVi6NI5Ud0byIj1wXFvnVAV4CkZKrFEDy2UV6M6h/N4q3LmaZQ7oLfe5lSczlm5/s"
    "3nkzqnTU/KD5ue5M6aOsQU5wimKxWgU0L9Q3nzWkMAZjQ/vVUgro98dO3Ihz6o972NsusR"
    "hkyBfG6QK0m6lJwm6RRIurXBih4Q94kLfI3yGNQC0R650huj99c43SPkNsE3ktPg5sGV6o"
    "Qy4hpwxridqjKBC2U1yHmQ5RlocXTiATU9QZ2S1otwlxdh23KQ/Fm4yutwVlQvxSpLMfE9"
    "ExlEvp4a6ZeT1NTfE6i/AE3fs/NjULVzmZbrgxO/7S0dD834uMwb2KIFknohz6uYBaT3/H"
    "mG5ztFm2blGiYnqBVMcwUTgXmPCjjCKg2TEdQqpsGuMYdQ2ayJhbRBo2DQ6JRq5Yq9v7kl"
    "fNdqOOppST3qXRn1Aq8xfPtksJ84H6l6ki4p1IfVrI1dr9xJ4CzoecTfEw/Zd/gXtJK4n/"
    "N3hNgs2jEvOMq7W4h/jeZUVBq/ogeX66O16anGAeBfG0WBNze31+dnfPEqP2KdWNPmtmPx"
    "rgosiFDy/S/XyIElgX29xbuQ8S6Ky1NA6SbsZgc1fSlMbR7Wnzwg+aDcSf2gYlh1TB+JJj"
    "XP6N/OESA+m5LHt/JWAY8sgYs87v3NkLniagzI3oIbBhjCwRl6cUWAOYf4DvE/IQMmFFk1"
    "gV1wWL+NB+iEdJ2OKS0/pI8eCte4igPNkUAPo8NaOMelcyA8Q/jS+qyFGuwZMW0y10jFB1"
    "cOgQUol5OdCZEn0ZxdUyXb5jk1/1M+63eTCajD/1g2dSEz540GPie8lVCBbRpVOzLSpZEC"
    "HUlMdm6hhUu47W+uSq5wy7So9H7suK3KlW7g49XN7Q8UJB71gj9L+irhVWzDwDcRt6pBTJ"
    "fIK0pN1rSbwkxk4bV0oYkgtoqelHbse/FynrjHWpFQOzUedS29tFQPPZnNW3qF26mVGa17"
    "Cm0reWoXXMUQpSkcS/QQ403foAaZ0uVeUfseIjs6eF0HXNGsfP7KyjTEU2KtDDqH4dWpdZ"
    "HOiPUQ8M1zSjqBW8upxMgSFyWyKcd3LdA/yqiVA7PcSXL5Q1FpiryKSMScpI5ELEzOHsAk"
    "9Gse3qoouJxoH+b0tuPgNDdXPtX7y8116BRtk+0fTct1nZb7N5kOCrg4UTysIuD+ItO6wQ"
    "d8ellgSbx7QLCMDlgn9t8LJimw2RBEISjBB0ZccT3dco4wEGeU9ofA8hGADMAcHbfpB3zG"
    "8qcBxsBDrmObEJgOtBfikgHRhH/z6I4BPiUtW3xP6IBPH8VUCgIZKGJUUn8O4m8hbiqQf/"
    "CORa1ImMdfeE80iJ5g2cjaFxcZzDyEwIx4MjiCQRE9zt+WAATNOfB8DOZ8TBCm/HuaqI04"
    "ie/u1oJNeVPlhCIfRLWr28L22rOqkxr7+TbmO7Yitk3Xdj9B887pjMQ09puc1I6ltIHXNQ"
    "Mv5bwJA0I5x1Raqg9O8xaIIGlpPSXRVIG8Tn/Q5R+XTFehfFdDWqoPP65tMFId8VqvXDEu"
    "AT453zWuHFZ5sCRqVtOPTd25Ht2nfo9cFkd6EJ+ZZMG9SJGdRriXMxvbdI7oN25wb9Kbdv"
    "u6YR9rt0/HY/caab112bLFqjffW6aItEvwvbkE+ua2bW5Nux4Rg6eUnygpo1MTNT+y0yD5"
    "nM46pw9Ltbyg9zcgI/TBmwx7RlRbEF2zIDpCbn0MjmoPCqitqGpYRWyFR71rn4liCEPM3k"
    "rOSZylAhQhALEV5WYg/IccEFJLvA6toHFABZWNl2g6J+SeDnNU18af8BkLjszGUuRvnzBI"
    "wd4lwYhDSfjqtbDZvubIOkQmlHNkqlcebvamww5Bvfl7DkX3699SHuPyy/aycjoauigv66"
    "PxhPsMC6R7hPKW7zSUE9am901HIi2rx6HpOGiHqHxA+uUQdcRQvuYT4Iz4mEnTLmcsJ6sr"
    "DWYxkfhslC1rWs3XiM8rKixWjKIj/2ABLQTsIAR56lvc6ASWL+aFLJnZjyJMmc9AsszvB2"
    "+iw8LsAvGZ9Klv3iP5CwtkxIEnj+lkA8+abEA90YBOMqC0fRnP+roAxxI9BHjzu2spZaJk"
    "fGUlG5lenYP7eWwvsXopqOd1++1hftBhDd0Rg2adP7fAmknm1i03ZVKJfOuQfy7hOL6w8Q"
    "thWQ+BsFNfBHTcAgpmbiZOPYVswA9U/lmUEKlpN4Umi5VItixReJKJolm7nrF2z63gW+bt"
    "kq+Vw7g8giEjtj2oB4OWgN52GIOOw2rZUnwQwCkpjliijwC3EUwYUWmzoviniqNGabE+RE"
    "G17VhSkfTUd5Dq3VQpOX09lcp9m/Z/UROSPy2nCf6mTmZorDcYgaykHgO9yaI3WRRSdHc6"
    "ycHOL+s5+iePfB72Nu/s6hroX6OZ9Y1LuzITTvnarjbJtV+D8LFBAbcWVQ2rqLUo/Kwus+"
    "YhE9kPyAPUn4qqKbIAI9krkeiPMoqNIq6eGaB8QlEg70QG/AWE+KqIbtto3zpKrgs6aFjB"
    "t+krf57DwfM9RwXusHkPF9m2EjzHV9jVPboSS+h7fp5wdCVYEfLAVyVxjWV6McO3TS6LFA"
    "8PBVZkJVUUC22RJ4oU+s7SRNpFLtfr/XWR9S3mfRv1gnNa6xt5awZrJHdVpcdjFzKXClcc"
    "h67iu9CB2sHZUObLt3rTcRa2cic8iew3nXEjPaz1kjhJI1Lm2BVRtGFPw/hK4ijvEpkFOX"
    "z50FIGIGNo4Rbcffz0Lj/jz3gcSf1Aw97irwbuiOhBRAJ/kXXcpfsC9oILl/cB8SzkiSTD"
    "stPItQdzSAEmn3Ek8RJ8cYh5zxWdj5ntfBHZhsW7yewW4s3EB5FFWdAKCFsizNhmvIuK4O"
    "JlTJxEj9HBOh0jD9YDk9d7FTs2SSm9W9N0t0Zfhd1q0tziq0jKY6SedP9I18DV4VHPqbc3"
    "Hx0VWgMqR3WTIjqQu/TGIpPbjwqo5uR6tP5tDFyddPd5tLDlB0lrjUWBonjvEFgWHpyWy0"
    "A/E4K9Av/d1afTiwn4eD05O785Dzn0NXMhK9M84vVkfJHBGvN5bIQ6tgGvVCCuc/50h0vK"
    "U4hJ91h1sLOyeqS7PNL6PobtOGh6K6Yc+t0k5WtFKwYUZKNxz8pqPdplPRrR8GpUblqqF2"
    "TMlqNSE7z7E4NSE6GPOwZ53ZjU9GxLhaSejW/Oxu8mzxWROkaebc4HBXthYc2wagsMxm2+"
    "te1VjumGYz91OpgnpoPhSx8tPPhbcUYyFumhKh0dHdUJPTw6Ko88FHUZqpX/qBQQDpv3EN"
    "1XBwd1aOyDg3IeW9Rlc5FgVrjtVR7XmRDRgZ2KgZ3Pmrvk6/8Ba0dkFA=="
)
