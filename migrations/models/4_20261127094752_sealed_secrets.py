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
    "eJztXVtz27YS/isYvdSZUTK2fD3Nk+wojRrHytjqZdp0GIiEJI4ogCXByDo9/u8HAEnxBj"
    "KkLNEUiydbABaEPqwWu4vd5T+dJTGQ5b7p2+ZHtO78CP7pYLhE7J9UTxd0oG1H7byBwokl"
    "hkLb1BZoLRrhxKUO1Clrn0LLRazJQK7umDY1Ceaj+xj0Pw8BI3gLCLbWwKQuePjQf907vw"
    "Bz6M6B6QKXEgcZb/iMBtHZlCaebUPsYfNvD2mUzBCdI4dN8edfrNnEBnpEbvjRXmhTE1lG"
    "AgDT4BOIdo2ubdF2M4fOezGSL2yi6cTyljgaba/pnODNcLZu3jpDGDmQIiMGCvYsK8AvbP"
    "LXyhqo46HNIo2owUBT6FkcWk7tryBq62ja3WisPQzGmtbJwB5SxMAMmnSC+ZaZmLri+y/h"
    "o2YhPKNz9vG09+Q/J8LBH8Uf+Gv//uZD//7otPeKP5CwffcZ4i7o6YmuJzEFpNCfRKAewS"
    "z+VgA6HL8bqMOGCOuIa2sH++T4uATabFQu3KKP4x3haztoaj5WQTiiaCPGF2UgvshH+CIN"
    "MJNFGpc8VSCO07ROZlyclYD44iwXYt6VhFh3EIdCgzQL8jvWQ80lkgOdpExBbQSkb8J/Dp"
    "G72Rc0RuwkDLa8APrx8NPgYdz/9Jk/bum6f1sCv/54wHt6onWdaj1K/xI2k4DfhuMPgH8E"
    "f4zuBgJe4tKZI54YjRv/0eFrgh4lGiYrDRox7gxbQ9Se+Gk8XcQOCt4wgfpiBR1Dy/SQHs"
    "kbm+1a9pbpFojhTOwZB5cvM9B6GFPBCXSRTCPa9BXqREYwqqxSBEIC4CLnG3KAiQEEbLMp"
    "22rkvGUfJg7EulBwIAgXAVYmnbPPNnQQphJ9aXfzSlSpPztztuX+1ju085dSrZRq1USoL0"
    "7LnEin+SfSafpEYjOzn08VcCOKFmpVu+LlCGAmqly+pAoIx0gUxCUgdimknlsF4YiihQDv"
    "3jJgyzIdpnxWBzpLWR/gHcfDmMN2oKgjxyFOFuwxeqQ5kjkk2Arj4FRrCk8X6f+D38cJ1T"
    "9E8ehT//dXCfX/dnT3Uzg8hvrN7eg6hXaoAJbl7I3CWB8/W0SHVj3cvHvTVyjWGXyHOIeX"
    "w+EpeNlqD4+V2XLZn9e9k7PLs6vTi7MrNkSsc9NyWYD28G6cgtJjFlBVlThO08Izb/eKsQ"
    "1dd0UciYH3gKCFjBy2jVG1Aua6xXBo5WtVGTxD2Ar4983l8WVV0DRSZDWegfs6/urm8yVa"
    "EmetTdYUSRTqa3OWezKmKVt0Qv6n1zs9vewdn15cnZ9dXp5fHW+OymxX0Zl5PfyJH5uJXc"
    "ieo7otM2beWwTmQB8SpCCfcorDA70Av3ejX65vB+Dz/eBm+DAc3SVd6qKTN7EGkwoI7gf9"
    "27RVjqHtzgnVqjlJU2RtMGX27mLi4FU6LCOKFp6SJ72rMqZ47yrfFud9KVkRXjRUZOc0Xf"
    "v4+arMXf9V/lX/Veamn9m5C2SwE64K0Ami9qG8e6nBAdPQo206yN3iQlpCvoNb6YbtwYFc"
    "QoeYZG6hVexBuZ9au2IPEr4i29hy15OUatebsuuSH3uw+rjzikc7VFRVEkTqBJWfoJm4nj"
    "ToEoOSOMic4Y9oLXAfsjVCrMu0b0lgzmEh/hTyVNgaLdGBq00ATZLVGADsa6PQkHwY3w9v"
    "mKmeHzAVO9PmpmWwqSQelIDy/cd7ZMEcR1Vr8ZYa4jI/UwWUHoJpDlDS58K0z9C7wTckHp"
    "SJu/M7ukVBd4gPKRlxN54jQDw6IY8/AoIRcMgK2MgBljlF+pqJMSBm64KVY1KKsB8RRxmV"
    "Pod4hti/kAIdei4ygCkJvdvHA3aczlDkL5WeZxIvafDTbm4kWI0+0vxQPPRNesYVhIuFBC"
    "30NO3+lnxzi1VNdUuRKeXt++4PG64tAiUo//wwustTkDckaXPI1Cn4H5OI7gEfjzJoORjF"
    "d1/pa65u0pjhE6TvvpQnIp/rD9MmLeOJMEzXhlSfb7XxGeJafI11Hu8HstO5rsaGJLyMbL"
    "7lPvYZzTvqLNS+STispAY+Ykrx0qOMBM8AG8mau2CBbOprwjyzl+nPOlkiAKeUp65QMDWx"
    "6c6Rm1W3nz2bShVuhq6Rr0Qv2NesAnQ4voUq9O4VO6VC14U0WTE0qmC8IWgfunsJOlCJLX"
    "tOsbAQ/8U/4xJcQq9uwZummqqkmpeKclWWfr5oa6+lH1gj22x7ilTJ0qbJ0oaY+fdsw2+I"
    "h6mwbzOGfry7W2Tqc8Zh7CdGlrT27xFjJJdb4cxQD2p4gSU0EK9IwdsmnsEsb2B4nBFEy9"
    "RknMbMd2yQVdbg38WE0poWvDiPb81MPH2BxC/Kp+H5uM+tc/FvuXB7ZtpegRdgsz2l/QAb"
    "ihZq97u3TyOuLwtwRNFCgHdvPiWESQbmokv5NOVWSUyNg/tlspj46VVBPG/G14f5cYMldE"
    "MUmk10lUSbiUde5asyiTCvMoW6bMJwfG3i11yT7gJuj7z2S5Eu2RoBmQK4Kbr1gyv+ldXl"
    "2nYaqcpixELxBAqqFFezri5UlVOVjd2+bGzlaN+zpqhSVGtIUQ1cplOZg7sgQzVJ1gY399"
    "4Lzpn/RduUbkjSqcIN25o8geq4xQ6kKdUebG12qqudf+HVzgsG1zRul+vNLoxbxvXlFzYN"
    "9LIJhimGq5xiuE9Xz29oMidk0ZF4esKubpGjZ+UPKu3ncZCOTF4x3fUmvGuCDEBJOn3LfS"
    "tCS13ExDMFLmMol3c4a8AWwMnXMufPTudWgatNkEHdAu+P51hVcA6Gt1Dc947PylhwfFgu"
    "3H5nqubvJvGzbFJSRKFykp6Rk+TLpizwRcU+I5pWcHjdTjee2/BNos9cE2IhiOWYR0QpzC"
    "eMal+ghyK9XtCvR6PbBOjXwzSqv3y6HtwfnYgdiIrxKWNNGWvi+FW1f1q265KwvE0di5KX"
    "2PHbJqF7m1IfWoXCIIHR8i5Q5Q+QG16kPkgatnxzMI7sd81CLbmt5bIXhRIJpsQR0YXBTN"
    "2okEeYcEimwpBjHIFcCiClaGlLKoY8f8ov+Avuh1Q/uMFs0VcDM8Jn4BGSX0UfM/S/giO/"
    "TMkrQBzDfyWYmDQ0Mvl7VQEmX3BI8QZ8DcpGepia1lf+6jC+NpHWwVfGP6yIs+AGLsIGD7"
    "80KZuiIOhyFZnw4WNUEEPDzNjNxmTlXsHdQZxK3Rtse2+gCsjstYDMhBiSsrn5sSPh+FaA"
    "q8JGXlJu7z5qJNAGJAjnCuk4iQpwTQtfZmXY7Ak85cWQeF5yUc3Qtej82xm4FnSpVjm/NE"
    "nVhuibuqWw4fnVWrRltbd5pOjUSz1KvNQDMz7WAhm7hV9JQq5SPJvjS8q6EOPmcdXNTtOq"
    "nW7yTusWZHtQ9a0bSao2nF77NtDUVUw+9IfplC8VN+e7ILerfZiiVXK0yXI0dMNXc+UmqV"
    "rhjKk5PjLmd39meGQsCO/AIC8bHZnktkRw5E3/4ab/bvBSsZF95Jj6vCO5Cwt6ukVXYDAa"
    "871rr3xMdxyFqMpkPLNMBjv6XGlCZEHuWETSQlHaOz8vE3p4fp4fecj7Uq5W9qOqgHAwvI"
    "XonhyXeZ8hG5Xvxz7OvNGQvwVSeu2VH9cZI1GBnRUDO1+0psPT/wHT5SUO"
)
