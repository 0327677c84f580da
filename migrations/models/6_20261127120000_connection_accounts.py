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
    "eJztXVtz27YS/isYvdSeUTKOfIlP+iQ7SqvWsTy2c9pp02EgErJYUQBLgJbVnvz3A4CkeG"
    "cIWZIpFnmJBWBB6sMK2F3s5Z/OnFjIoa/7rv0zWnbegX86GM4R/yPT0wUd6Lpxu2hgcOzI"
    "odC1jRlaykY4psyDJuPtE+hQxJssRE3PdplNsBjdx6B/MwScAJAJIBgB1yN/IpOBhc2mso"
    "GaxEXgwEPQ6oKFZzMEiAegNbfx4fd8hLMENqPg7sf+q97pmXisRUz+XBs/bOUJn/EU0imw"
    "KaCMeMh6DfrAQ49khiz5FMrgknbBhE/BpghA37IZ4DDYTheMfQb4szAFmLApf8PX4n19bP"
    "/lI4ORB8QpPP7Wv//Bm21soSdEo4/uzJjYyLFSC2NbYgLZbrClK9sup9D7IEcKLMaGSRx/"
    "juPR7pJNCV4N51CJ1geEkQcZshKLhX3HCdc1agrelTcwz0erl7TiBgtNoO+IJRfUwRvEbR"
    "3DuB7dG3eDe8Po5NghokisX9hkEixYycaMyu8/h0+Gg/ADm/KPx72vwXNiHIJR4oH/7d9e"
    "/ti/PTjuHYoHEs6PAaNehz092fVVTgEZDCaRqMcwhyxjqMGdptoM7FFDBe78uX++Cj8eiX"
    "+dvVqFGHX5vwLe0fhtIR3vYTtn8TdHRzXQ5aNK4ZV9aXzlvqcC8Ipgdwh35Da8Gw4+rwHx"
    "eSnA51l4XQ9N7Ce1DSOiaCMLn9Xh4LNyBj7LAsxPW0OcxSoQJ2ladxCendSA+OykFGLRlY"
    "bY5EIRh8KALA/ye97D7DkqBjpNmYHaCklfR3/sI3cLeXHEhcNwySugvx9+HNzd9z/eiMfN"
    "Kf3Lkfj17weipydbl5nWg+wvYTUJ+GV4/yMQH8Fvo+uBhJdQ9uDJJ8bj7n/riHeCPiMGJg"
    "sDWgnujFoj1FKrjp5cm8+2xqqnKTew6uHrNmXR92SRI0wqV9mBlBk+XevXnaXVK93klQ7V"
    "0zXWOU2pV7lpqywMA5NZQmcVDWNozhbQs4xcD+mRsrH5rnlvnm2BGD7IRRJoiveMDEPCyD"
    "HAzCs2G8W93UrTkRhnOOShnu1ohBGY+wwyvsDSxmNCx3kHFlMCDriY140MPYdd3gYZOOCz"
    "cdIuYNB7QKJ5ShbAZgBx3rNe5yxHW5h/w5aeC/thiJmCrYezffY3Gv4gmyvhPohXePWfXu"
    "/4+G3v6Pjs/PTk7dvT86NzPla+b77rbcXP+mL4w/D6Pv0rFQ3VBiD1nXOXcu9O16O9Yq/Q"
    "DdUsfDHFWrpkww7DbdvzXsyK+m2c9994ndir5DGkAnFM0UK70+aNIsH5rgJwTNG+faJ3el"
    "oDYD6qFGHZlzFNc7HLpxxBq8BAXSrzZKi+LfzsAzMH8k/vzcnbk/Pjs5OV2LNqqZJ2Iskm"
    "qQtS8X4KzBtTtHB32Pz26yH+NanqKZemat8usZlduCHqLpf84RhS1ClQdld93SpV1wpH1X"
    "WTABEBoMh7RB6wMYCAI8443sj7nn8YexCb0i8BguglAh8HCFzoIczyKu4G5y1QbX/vTLmA"
    "HgjqHutwSH/PSHMSuz+0s4N2dtDODtrZYXVWHNc5K47Lz4rjLLh8Zr6dqcAbU7QQ4M1zLz"
    "86qKLSmSDRENeAOFBuVBCOKVoI8ObdSfhr2R6yDHWg85Q7dJDyfIwFbHuKOvI84uXBvkdP"
    "JUr+iqANSlKV9Xzw633KcB6hePCx/+thynh+Nbr+IRqeQP3yanSRQTsSyOty9kqA3x0/O8"
    "SEzm64efOmQano5PAtNVhFw9eyVDWMlTdtqPK5RqoqFCdpWnjmbV4wpr6LPIFaHuULQhwE"
    "cYlokaTLID3mhNuCetWy2734YjS6Su3FF8PsZvvp48WAH30Sez7IZqmb5cQOASldEK9At7"
    "5D0EFWyUaRoGoFY+/64IvsXIbqlpIjbAX8295Xkq+lINtlyHYodWxL4Ng1n8/RnHhLY7xk"
    "qECFqXIYylK2SCbZifNQwmneLVIfPzgElkAfEWQgnwiK/QO9Ar/3o08XVwNwczu4HN4NR9"
    "cpJg860+fn7aB/lRVZMHTplKjapzNkbVAet27UE+ApHZYxRQtPyTe9OgFifFS59aOXCxJb"
    "XbUpsnOWrn38fF4n4vG8PODxPBfv6BBT+LKPlypAp4jah/Lmdw0BmLF+BFEBuQ47aFrYgQ"
    "4W+7etsusRhkyBfF6pqDIUpei0oUjBULQSWNEj4npZgUZR7gdZQNoidW5jJuYVTjOE3HXw"
    "jeg0uHlw5XZCGXENOGFcTlVh4EJaDXIeZBmHK9z3H9G6Ubwpan0IN/kQti0HyZ+Fq3wOZ0"
    "n1UaxwFOssGOUbWnvDAX3XWnPV05R61Zuy6gWbbPj2yftZ4dKu6vycJNJGomIjUS54Iwt6"
    "wZ0J8ZD9gH9GS4n7kL8jxGaRgbkg+mK/EP8a8VTUGr+iBxeraIg0q3EA+NdG0V3J3f3t8J"
    "IfXuVRMYkzbWo7Fp+qQI4IKT/8fIscWHIX21q8CxXEoqtUBZTuwmn2cKcvhWmb8VWDRyQf"
    "lAuuCjq6VZFVSAypGVZ1P0WA+GxMnt7JRLAeWQAXecCxJ8hc8m0MyNmCpLAM4SDsSWR1Na"
    "cQPyD+J2TAhCIRErAL4qu28QCdQ6TRbgDlcVXosfCMq4hBiQhaeJm6BddbHbb2Ard9K/c4"
    "NdgzZFpkrpE9BS4dAgtQ/uludF2mlqxIskqobTLwP34O0T0WSoqgFWCkNM2cU13Wf66bVi"
    "HFBFmnOm3/Kef6/bQE1LH/WDZ1ITOnay18jngnlvVdClV7stKlhvWG5JIYWmjuEi77m8uS"
    "qhuZEZXajx2PVanCAW5Gd/ffUZB41Cv+LKmrhNUzuoFuIgphQEwXyCvKJrHuNIXJI8JKIq"
    "GIwP96XqaIf4uW88y7xYociKn1qCvppalaqMlsXtKbISUPxXB4C6HdSmqxOd9iiBILxxQt"
    "xHjTRS8gU6rHEI1vIbK9o5M64Iph5fwrO9MQj4m1NOgUhtWu6iKdIWsh4Ju3KemcG1vO/k"
    "AWuCj2uBzfFUH7TEZbiS/hSpLLH4pKs5qUisUFlNoDrzCfZgCT2F/z8FYFdedI28DTuw54"
    "1ba5clZvr22uQUEn61z/aLNc081yP5Fxp8AWJ5q7VQa4P8m4rvMBZy8LLIg3AwRL74BVLt"
    "aDgEmBzbogckEJPjDiiooiiynCQLj0HnaB5SMAGYA5c9ymH/AZy5+GLHfrOrYJgelAey7y"
    "wooh/JtHaWE5S1q2+J7QAZ9uBCsFjgwUMSpNfw7ibyGSy8o/+MSiV+Q44S98IAZET7BsZB"
    "2K3LMTD6FVTV0GZ/w78rclAEFzCjwfgylfE1FYl2AT6aq6DdKmyg2KfBHVqm2E47VmVSeb"
    "4ctdzDfsRNy2ubb5OfX2bs9IsLG/TmBTTKUFvKYJeCnlTQgQyikZ0lRtUJp3YAiSktZz8j"
    "IU0OtowSb/uGR0p3J63TRVG35cu7BINURrHbliXQJ8crpr3Nmt0mBJNKymHpsqkxmVwJwh"
    "l8WeHsRnJplzLVIEcwv1cmJjm04R/UbRzXVm02pfM+RjrfZpf+xWI62vLrcsserL9y2biL"
    "RK8G9TCXSxDX013YilaPHVdKiNrLPsGVK9lzZtL22Imn8TBK12CpT8qKtbpeKHQa+1o0MY"
    "whCzd1L7FlElgCKufmMrilIn/IccqOYLvLpkpvHVMpWDF2g8JWRGuzmlf+NP+IyFtcDGku"
    "QvnzBIwcE1wYhDSYBjz212qK0FDVKryq0FL1sXs0FQb75Ih5g+VYi4pmdojk77heb9QgVI"
    "zyjGUUDdIpR3XJBDMqxNZ+uuRJpWr8O666AVovIFaZdC1BBB+ZYzwCXxMZOiXU5YTnZXCs"
    "yCkTg3ypE1peZbxPmKCokVoyj4GcyhhYAdOGOOfYsLncDyBV/Ilon9JBw2OQeSRf5mbBMT"
    "FsZZx9G5Y9+cIfkLC2hE6IfHdNj1i4Zdq4dc63BrpYucmOtrh1KuKFoI8ObvGVKbiZLwla"
    "VcS/RqHNwvI3uJ00the16N3x3mRw3eoRsi0KwyiRZIM8kso+WiTCqlaR3jn0s4jq9s/EpI"
    "1l0g5NRXgTluDoVlbiLiP0JrwHdU/lmUGmbdaQpFFiuRdlai8CwRRVvtWma1e+kNXhfXTU"
    "HdmuK62iNly5Kirji6g4qjoSltUuQJUhF0kSZrgz/IthVLKtI/+g5SrdWTotOFelRq5tl/"
    "o3WM/Gk6beBfV8kMhfU1ViBLqddAX7LoSxaFZMWNDvfe+2M9Z/7JI5+HfZvVi5oG+teIs7"
    "5RvijDcMoFjLZpXPslcB/rFNjWoq5ulWktcj+ra1nzkInsR+QB6o9F1xhZgJFscRj6vfRi"
    "o4hvzwxQzlAUyLq+gL+AIF8Wmds2Orf2kmvCHtStsLfp4icvoeD5nqMCdzi8hYfstlLdxs"
    "W80hiXlzyJKXTFk2dUPAlOhDzwVeksY5pWcPiujctBHW5FU1FMtEM7UbSh762ZSKvI5ft6"
    "e1VkXc+5bateEKe1qk1a01kjeasqNR670HKpUOw1VBXfhwrUHnJDmS6/1ZqvWdjKlfAkst"
    "9Uxo30stZLZyOFSJltVHjRhjN14+KsUQYaMgmymfKlpQxAxtDcLagC+/wpP+PPuB9RfUfD"
    "2eKvBh6ImEF4An+RfVyl+wIOgtKzh4B4FvJEulU5aaTagymkAJPPOKJ4Db44xJzxjc7HzH"
    "a+iLyr4t1knL94M/FB5JMVZgWELeFmbDM+RYVz8SI2nESP0c46DTMerBYmv+9V3NgkqfRt"
    "zbq3Nboo8FbThxYXZSj3kXpWJYamgavdo15y3968d1QoDaiE6iZJtCN3ae0Wk8uPCqjm6F"
    "p0/m0MXJ1+9GV2YcsP0nca84KN4oNDYJl7cJouA/1EELYK/PejTxdXA3BzO7gc3g1DG/rK"
    "ciE703bE20H/KoM15nxshHvsGnalAnKd86c5tqS8CTGpHqsudpZWr3STV1pnpt+NgqavYs"
    "qh30+jfC1vxcAEuda6Z2n1PtrkfTQyw6uZctNUrTDG7NgrNWF3f6ZTasL1cc8gr+uTmua2"
    "lEvqZf/usv9+8FIeqX3k2ea0U3AXFvZ0q67AYDzmW9de5Zhu2PdTp4N5ZjoYfvTRwsDfih"
    "jJmKSFW2nv9LSO6+HpabnnoejLmFr5j0oB4XB4C9F9c3RUx4x9dFRuxxZ92VwkmBVee5X7"
    "dSZItGOnomPni+Yu+fp/kJUrHA=="
)
