"""Engine settings a database overrides (`resources.settings`): one JSON column, null when it
overrides none."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        ALTER TABLE "databases" ADD "settings" JSON;"""

POSTGRES = """
        ALTER TABLE "databases" ADD "settings" JSONB;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "databases" DROP COLUMN "settings";"""


MODELS_STATE = (
    "eJztXVtz27YS/isYvcSekTOOfIlP8yQ7SqPGsTy20nbadBiIhCxUFMCSoGWdHv/3A0CkeG"
    "dIXWiKwZMkAAtCH5bA7mJ38W9rRg1kOq+7Fv6EFq2fwL8tAmeIf4nVtEELWlZQLgoYHJmy"
    "KbSwNkULWQhHDrOhznj5GJoO4kUGcnQbWwxTIlp3Ceje9gEneAcoMRcAMwfcf+wedc7OwQ"
    "Q6E4Ad4DBqI+O16NGgOu8Sk4d1iF2C/3GRxugDYhNk8y7+/IsXY2KgJ+T4P62pNsbINCIA"
    "YEN0IMs1trBk2dUE2h9kSzGwkaZT052RoLW1YBNKVs35uEXpAyLIhgwZIVCIa5oefn7Rcq"
    "y8gNkuWg3SCAoMNIauKaAV1MsRBGUtTbsZDLX73lDTWgnYfYoQmF6RTomYMkyYI///DD5p"
    "JiIPbMJ/nnSel88JcFi2Eg/8tXt39bF7d3DSORQPpHzelwxx49V0ZNWz7AIyuOxEoh7ALD"
    "9LAO233w7UfkGAdcC1lYP95vi4ANq8VSbcsk7gHeBr2WiMn8ogHFA0EePzIhCfZyN8HgeY"
    "r0WaWHnKQBymadyacX5aAOLz00yIRVUUYt1GAgoNsiTI73kNwzOUDnSUMga14ZG+9r/sI3"
    "fzP2gM+E7oTXkO9MP+5979sPv5Vjxu5jj/mBK/7rAnajqydBErPYi/CatOwG/94UcgfoI/"
    "Bjc9CS912IMtnxi0G/7REmOCLqMaoXMNGiHu9Et91J7FbjyehjYKUTCC+nQObUNL1NAOzW"
    "qbrJp1ZvESSOCDnDMBrhimJ/VwpoIj6KA0iWhVlysTGV6rokIR8AmAg+xHZANMAAR8shmf"
    "amS/4z9GNiS6FHAg8AcB5phN+G8L2oiwFHlpe/2miFJ/tiZ8ypdTb7PWX0q0UqJVHaE+Py"
    "myI51k70gn8R2J98xfnzLgBhQNlKq2xcsBwHypcsSQSiAcIlEQF4DYYZC5ThmEA4oGArx9"
    "zYAPC9tc+CwPdJKyOsBbtkuIgG1PUUe2Te0k2EP0xDJWZp9gLYy9Xa0uPJ0n//d+H0ZEfx"
    "/Fg8/d3w8j4v/14OZnv3kI9avrwWUMbV8ALMrZK4GxOn42qQ7Narh5+6qvFKwT+PZJBi/7"
    "zWPw8tHuHyvz4fKPo86b07enFyfnpxe8iRznquRtDtr9m2EMSpdrQGVF4jBNA/e87QvGFn"
    "ScObVTFLx7BE1kZLBtiKoRMFe9DPtavlaWwROEjYB/11weHlYJSSNGVuEeuKvtr2o+n6EZ"
    "tRfaaMFQikB9iR8yd8Y4ZYN2yP90OicnbzvHJ+cXZ6dv355dHK+2ymRV3p552f9ZbJuRWU"
    "juo7qVpsx8MCnMgN4niEE+FhT7B3oOfu8HXy6ve+D2rnfVv+8PbqImdVkpingBZhKCu173"
    "Oq6VI8b441MQ/uV+cJOhl4do4mccWGfgf8DETrOgFmDkry7xhaQdPaAQHcRXF4dAy5lQpp"
    "UzUMfImqBG7ty8J8ArJagEFA2UUN50LoqYQToX2XYQURdbp/1DnpLsHKdrHj9fFPGzuMh2"
    "s7hIeFmYVJ8ig0sXZYCOEDUP5e2vGgIwDT1ZmK/hazgDpJBvwSOgZnOwJw4APiYJD4CIKX"
    "ftqVazvD+zbNmUIV0gn5jkS0pNBEmWn1qILjbFI064K6lgVVLtvF4OBteRKb3sxxXmL58v"
    "e1xMOIwqGUkNbiWwokfEdeIUXSNTjU4jbZAqvTVj8wqnKULWOvj6dArcJLhyOXEYtTQ4Zl"
    "xOLcPAqbQK5CTIJnSYBnWGH9E6slaCWm3Cdd6EsWEi+VpYpffhOKnaiktsxcq1OXtBa5Zr"
    "c+Qo2jLWnPUopZr1usx6yiLrjT58Ni6cqUta4yJEykiUbiRKhA3EQU85r6I2wg/kE1pI3P"
    "t8jJDoaQbmFL///UL82ecpvzQYog3nK//8KKtxAPjfRv451f3wrn/FN6/seIzQnjbBpsG7"
    "SpEjPMoPn+6QCTPOwRuLd6qCmHaMXQKle6+bPVzpM2HaZWRP7xHJByXCepYV7byYHiSaFA"
    "zoGU4QoC4b0aefACUI2HQOLGQDE4+RvuDLGJC9tcHcxowhsgy4YZxKn0DygPhXyIAOXQcZ"
    "AKdE9uziAVuOls5zx0jdz1L0bu/Vrm+gSYUuGNmRPugxdY/LiUbxCRp4mLp9J9yVk1w50S"
    "1GpoS375/wWXBhUpiCcrbzS4hkI9+XujF11c4vyhKRzfX7qZMWsUQY2LEg0ydrTXyCuBIb"
    "b5Xb+57MdKaJtybx9H0DzSzKpVB9kZFnKNYiVw7HQdsyeYfA7eB++MoBoUcd8WdJqdlLKt"
    "ReSskiqRAkzhzZaRH163aTGkDv5U7yRAT+bbMo+h9F3t7wlCtbko7OR1FJL0rVQJl6+5Le"
    "FJXylfOaNxDaztlZAWx5q0xwZV08ToLjVIqFA4oGYlzEuzbbtzbhWcuFnlLpnvz2DUS2c3"
    "xaBFzRLJt/ZWUU4hE1FpozgZ2z8zJIx8gaCPj2rRsqD8SOMxLQOYejDL4rguaZjHYS6cCV"
    "JIs/FGVm2sgUi1MolS9Y0ktlBZNYX5Pw5oV2J0ibwNNVh70q21w2qzfXNlej8IcCs67Mcn"
    "tnlvuFjloptjhR3M4zwP1NR0WPwTl7GWBO7SmgRJ5Tr/JRHiyZFGDWBr4zxPIHoxb/AuYT"
    "RIBwLj1sA8NFADIAE+a4bT/gK5GvBugCG1km1iHQTYhnIjemaML/uZ8ak7OkgcX/hCb4ci"
    "tYaXmk7iDmSNOfifgoRIJN+YV3LGpFphM+4APRwH+CgZFxKPJvjm2EwJja8piewSn/j3y0"
    "FCCoT4DtEjDhc4KIw/+njlR+8xppU9kGRT6JpYD22yvNqkiGvZc7mK/Zjrhrc23987zt3Z"
    "oRYmN3nRCbgEoJeHUT8CLKmxAgSicHiFI1QWmuwBAkJa1NMgSk0Ku4tTq/XDLOsHTK1yhV"
    "E16uKixSNdFaB5aYlyU+Cd01qGznabDUb1ZQjx1wxXLmMijSbAER1kpJG0yRxQJPD+oync"
    "64FinCioV6OcYEOxPkJH1INu5NqX31kI+V2vciyojyx64KaXV0uWOJVR2+79hEpFSCH00l"
    "UBdAqKPpWkxFg4+mPW1knWmPkaq1tG5raU3U/Ds+4VfUJUzqtwlFP1zdzlP1BeNw9pMtC2"
    "r7d4gzkiO0cK6oezEdYAYNJG5PFGUj1+CaNzBcwQiyZIyfxDk0Zzk6Tyr82+gwNXwkCDoY"
    "ufoUyTdqSSM82ja9k1FFk2wYTVI+kkRFkZTSTwOuL+whvqJoIMDbV58ii0kC5rwMD3HKtf"
    "xqawf3y9y4IXavEsvzqn11mB/XeIWuiUCzStWTIs2E0/hkizKRnEFFIl4tynE8wuRISNJt"
    "IPSRI8oVEoBnfIyAjoVbm2cVfeXIr2kRr+t2kyqyGKG8ThIFdW10vY4uXvba6Jde4NXNYR"
    "GoG3NzmDK071hSVFf6VHClj2cyHacZuHN8yaJkTTBz7/xydJHVxjVLJ8OO0KlM2GUupcD/"
    "Retc7Bila1D0ZsVKpiesrzEDcUo1B2sr+uow7Qc8TKt3FMveb+sJ808S+STsu0wPXjfQn3"
    "3O+k5+8BjDlc4Qvkvj2m9oNKF02kqxrflV7TzT2nzZqLBlzUY6wo/IBo47ElUjZABG49mX"
    "nXfSmddBfHlmwOEM5QB5cRbgAxDkizRz21b7Vq7CdViD2jn2Ntc2y+DsNW/gcr+rXFJB3v"
    "Yoxtk5hQMKlVJ4k/u05dqUBD4vX0xA0wgOr9rMubxyraTRIiCq0GLhL+l7a7BQylr2ut5c"
    "ZU1d3dW0WU9xhFxdQ1PQbSB8vidlb5xqQytxr4+ntLz3RPk95IYsrXKn1/vEYctWB8PIfl"
    "ct1KLTWixeVAqRMp2P8Of0emoH9/D4IZ50vEwXxKfWYQAyhmZWyoU/m3f5lXwlXZ/qleP1"
    "Fvw18EBFD8In9Zus44r+N3CwvGXoEFDbQLbIZyQ79ZVMMIEOIPQr8Sleg28m1ad8oXMJw+"
    "Y3kdhIjE0G0oiRiR8iYZNQcBExhMMrZryLHDfXeaDC+49RbiM1U2NXE5Nc93LODsJU6txg"
    "3XMDdf/TTvPzpGc9zfbW2SjVad3AVY46L7lub99Px5MGymRJDpMol+LM5Mg6lx9LoJqga9"
    "D+tzVwVX6fl1mFDXeZH0ebpSwUH0wKsxxVo3Qx6MeCsFHgvx98ubzugdu73lX/vu/Z0FeW"
    "C1kZtSPe9brXMawJ52PNW2PXsCulkKug2vrYkpImxLB6XHay47Rqpus80yr1YzUKmjqKyY"
    "Z+P43yhfzmlibI9a4ujdGqdbTO66hvhi9nyo1SNcIYU7F/ZMjuvqF7ZMgJb88gL+odGeW2"
    "iHPkVff+qvu+91K+kV1kY33SSjkL82raeUdgMGjzvWOvbEy37IWoEpNsmJiEb31OaghqTr"
    "ReQNLApXQnt7CKl6oEwl7zBqL75vi4iBn7+Djbji3q4lkxCEs99sr26wyRKMfOko6dL5pF"
    "4/n/NMCDLw=="
)
