"""Connection accounts: `databases.superuser` records whether a database's connection user is
the engine's superuser. New databases get an unprivileged one unless they ask; every database
made before this migration connects as the superuser, and is recorded so."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        ALTER TABLE "databases" ADD "superuser" INT NOT NULL DEFAULT 0;
        UPDATE "databases" SET "superuser" = 1;"""

POSTGRES = """
        ALTER TABLE "databases" ADD "superuser" BOOL NOT NULL DEFAULT False;
        UPDATE "databases" SET "superuser" = True;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "databases" DROP COLUMN "superuser";"""


MODELS_STATE = (
    "eJztXW132rgS/is6fNn0HNKTkpfmbj+RlG7ZpiEnoXf37HaPK2wRfDGS15JDuHvz368kbP"
    "wmuzYBYlx9CpE0snk0jGZGM6N/WjNiIYe+7rr2J7Ro/Qz+aWE4Q/xDqqcNWtB1o3bRwODI"
    "kUOhaxtTtJCNcESZB03G28fQoYg3WYianu0ym2AxuotB96YPOME7QLCzADaj4O5j97Bzeg"
    "YmkE6ATQFlxEPWazGjRUw+pY3v1yH2sf23jwxG7hGbII9P8edfvNnGFnpENPzXnRpjGzlW"
    "AgDbEhPIdoMtXNl2OYHeBzlSvNjIMInjz3A02l2wCcGr4fy9Res9wsiDDFkxULDvOAF+Yd"
    "PyXXkD83y0ekkrarDQGPqOgFZQL98gamsZxvVgaNz1hobRysAeUsTADJpMgsWS2ZhR+f1n"
    "8NFwEL5nE/7vcedp+ZwIh+Uo8cB/d28vP3ZvD447r8QDCV/3JUNcBz0d2fUkp4AMLieRqE"
    "cwy78VgA7HbwbqsCHCOuLanYP95uioBNp8VC7csk/gHeHremhsP1ZBOKJoIsZnZSA+y0f4"
    "LA0wl0WGkDxVII7TNE5mnJ2UgPjsJBdi0ZWE2PSQgMKALAvye97D7BlSA52kTEFtBaSvww"
    "/7yN38C1oDvhMGS14A/bD/uXc37H6+EY+bUfq3I/HrDnuipyNbF6nWg/QvYTUJ+K0//AjE"
    "v+CPwXVPwksou/fkE6Nxwz9a4p2gz4iBydyAVow7w9YQtSexG4+nsY1CNIygOZ1DzzIyPa"
    "RD8sZmu2adWboFYngv10yAK14z0Ho4U8ERpEilEa36CnUiKxhVVikCIQGgyHtAHrAxgIAv"
    "NuNLjbx3/J+RB7EpFRwIwpcAc5tN+P8u9BBmCn1pc/MqVKk/WxO+5Mul91jrL61aadWqjl"
    "CfHZfZkY7zd6Tj9I7EZ+Y/nyrgRhQN1Ko2xcsRwFxUUfFKFRCOkWiIS0BMGWQ+rYJwRNFA"
    "gDdvGfDXsj2ufFYHOku5O8Bbno+xgG1PUUeeR7ws2EP0yHIkc0iwFsbBrlYXni7S/3u/Dx"
    "Oqf4jiwefu768S6v/V4PqXcHgM9curwUUK7VABLMvZK4Vxd/zsEBM6u+HmzZu+UrHO4NvH"
    "ObwcDk/By992/1iZvy7/c9h5c/L25Pz47OScD5HvuWp5W4B2/3qYgtLnFlBVlThO08A9b/"
    "OKMfVd5AnUsihfEOIgiHNUizhdCukRJ9wW1KuW3crii8HgKiGLL/ppYfvl80WPb30Sez7I"
    "ZkjN1i6kdE48hUl9h6CDrBxBEaNqBGPveuML/SpGVZGSIWwE/NuWK/HXqqDbpch2qHVsS+"
    "HYNZ/P0Ix4C2O0YEhhwlzY97m6SJqyQTrJvzqd4+O3naPjs/PTk7dvT8+PVspJtqtIS7no"
    "/yIkemIVsiLedFXm4weHwBzoQ4IU5GNBsX+gF+D3fvDl4qoHbm57l/27/uA6eYghO5P752"
    "2ve5VWWTB06YQwo5pbOkXWBONx6049AV6lzTKiaOAu+aZzXsb50TnP936IvpSsCI92KrJz"
    "mq55/HxeJrriPD+44jwTW+EQc4osvsNVATpB1DyUNy81BGAGenRtD9E1QgAU5BuIA6jZGu"
    "zJsX+ISebcP+HAXXup9Srvzyq7HmHIFMhnjYoiR1GCTjuKKjiKVgorekDcLlNYFLmmnIq0"
    "QebcxlzMK5ymCLnr4BvSaXCz4EpxQhlxDThmXE+twsBKWg1yFmQHUmZAk9kPaB1dK0OtN+"
    "E6b8K25SD5s3Ar78NpUr0VV9iKdUBzvkBrVkBz4gDatdZc9SSlXvW6rLpCyAZvHz+fFSHU"
    "Fb1xCSLtJFI7iTLJAmnQFWcmxEP2Pf6EFhL3Pn9HiE2Vg1kR7b9fiD+FPBW2Rq/owfkqKj"
    "/JahwA/rVReFZyN7ztX/LNKz8LI7anTWzH4lMp9IiA8sOnW+TAnLPYxuKtNBBVR6kVULoL"
    "ptlDSZ8L0zbzeXoPSD4ok8yz7GgXZfIgMaRkGs9wggDx2Yg8/gwIRsAjc+AiDzj2GJkLLs"
    "aAnK0N5p7NGMLLNBvGqcwJxPeIf4QMmNCnyAK2Ip9nGw/YcI50UUiAcj9T2N3BT7u+6SU7"
    "DAPIz+9BD8o9riAHJSRo4GHq5kNvV4Fa1VS3FJlW3r5/wufChUOgAuVf7wbXeQryiiRtDt"
    "kmA//jEpHu8faoglaAkbB5MuFd6UiudtKYEROkw7u0JyKf6/fTJi3jibBs6kJmTtZa+Azx"
    "Tny8u9ze92Slc128Ncmi71to5hKuhZqLnOpCqRGFergdja1SbQjcDO6GP1EQe9Qhf5bUmo"
    "NSQu2llixKCUFM58hT5dGvO40ybT6omBSoCPzT83LnfxR9+5mnXPmadHI9ymp6SaoG6tSb"
    "1/SmqFKsXDC8gdB2Tk9LYMtH5YIr+9Kx+hynSiwcUTQQ4zLRtfmxtZnIWq70VCryFI5vIL"
    "Kdo5My4Iph+fwrO5MQj4i1MOgEdk7PqiCdImsg4Jv3bujqD1uuQ0DmWJUFm4/viqB5LqOt"
    "ZDpwI8nlD0W59TVy1WIFpY4Fy0aprGAS8jULb1F6cYa0CTy969RL7ZvLZ/Xm+uZqlP5QYt"
    "W1W27v3HK/klFL4YsTze0iB9x/yKjsMThnLwvMiTcFBMtz6lUVyoMlkwKbtUEYDLH8hxGX"
    "fwDzCcJABJe+agPLRwAyADPuuE0/4CuWPw3QBR5yHduEwHSgPRMVMcUQ/s3DgpicJS1bfE"
    "/ogC83gpWWR+oUMSpdfw7ibyHKasoPfGLRK6pt8Bc+EAPCJ1g2sl6JqptjDyEwJp48pmdw"
    "yr8jf1sCEDQnwPMxmPA1QZjy72kiXdW8RtZUvkORL2IloMPx2rIqU1fv5Q7ma7YjbttdW/"
    "/qbnsnM2Js7K+TYhNRaQWvbgpewngTCkTl4gBJqiYYzTtwBElN6zkVAhT0Om+tzj8umWdY"
    "udBrkqoJP65deKRqYrUOXLEuS3wytmvU2S6yYEk4rKQdO+CG5cxnnATfA5HWSnAbTJHLok"
    "gP4jOTzLgVKdKKhXk5trFNJ4hmY0iePZs2++qhH2uz70WMER2PvSuk9dHlljVWffi+ZReR"
    "Ngl+NJNAX/ugj6ZrsRQNPpoOrJF1lj1FqmVp3WRpTcz8W77gl8THTNq3GUM/3t0uMvUF43"
    "D2kyNLWvu3iDMSFVY4N9SDnA4wgxYSdyaKtpFvccsbWL5gBNkyth/FOTRnOTLPGvybmFCZ"
    "PhIlHYx8c4rkL2pJIyLannsTo84meWY2SfVMEp1FUsk+jbi+dIT4iqKBAG/efEoIkwzMRR"
    "Ue0pRrxdXWDu6XufVB7F4VxPNq/O4wP6qxhK6JQrMq1aPQZuJlfPJVmUTNoDIZry7hOB7a"
    "+FBo0m0g7JFDwg0SYM/4OwIyFmFtgVf0Jyo/qjJe151GqbJYsbpOEgV9WXS9ji5e9rLolx"
    "bw+vaqBNSNub1KO9q3rCnqK312cKVP4DIdqxzcBbFkSbImuLm3fiW6qGrjO5WLYSfodCXs"
    "KpdS2P9F61wumKRrUPbmjo3MQFlfYwXSlHoN1jb09WHaD3iYVu8slr3f1jPunyzyWdi3WR"
    "68bqA/hZz1nfrgKYarXCF8m86139BoQsi0pfCthV3tItfafDmotGfNQyayH5AHqD8SXSNk"
    "AUbS1ZfpOxnMSxEXzwxQzlAUyIuzAH8BQb5Quds2OrcOFa6DDGoX+Nt8z6mCczC8geJ+W7"
    "WkorrtSYzzawpHFLqk8DNKCi9lUxb4onoxEU0jOHzXbs7llWsVnRYR0Q49FqFI31uHhTbW"
    "8uV6c401fXVX01ZdEQi5uoamZNhA/HxP6t620odW4V6fwGh5H6jye8gNeVblVq/3ScOWbw"
    "7Gkf2uWWgkl7VcvqhUImU5HxHPGczUju7hCVM8yXhZLogvLWUAMoZmruLCn+dP+RV/xd2Q"
    "6icazBZ9NXBPxAwiJvWb7OOG/jdwsLxl6BUgnoU8Uc9IThoamWACKcDkKw4pXoNvDjGnXN"
    "D5mNnON1HYSLybTKQRbyb+EQWbhIGLsCUCXm3GpygIc51HJnz4GB02UjMzdrUwWblXcHYQ"
    "p9LnBuueG+j7n7Zan0dd9TQ/WudZpU7rBq4O1HlJub35OJ1AG6hSJTlOokOKc4sjm1x/rI"
    "Bqhq5B+9/GwNX1fV5GClv+sj6OMVMIig8OgXmBqkm6FPRjQdgo8N8Pvlxc9cDNbe+yf9cP"
    "fOgrz4XsTPoRb3vdqxTWmPOxEcjYNfxKCnKdVFsfX1LWhRg3j6sudppWr3SdV1qXftyNga"
    "aPYvKh30+nfKm4uaULcr2rS1O0Wo7WWY6GbvhqrtwkVSOcMTuOj4z53Z8ZHhkLwtszyMtG"
    "Rya5LREcedm9u+y+771UbGQXebY5aSnOwoKedtERGIzGfO/YKx/TDUch6sIkzyxMwrc+qk"
    "xBLcjWi0gaKEq3cgur+FFVQDgY3kB03xwdlXFjHx3l+7FFX7oqBmbKY6/8uM4YiQ7srBjY"
    "+aJVNJ7+D5H6gIY="
)
