"""Operations report how far long work has come (`progress`) and keep the caller's recorded
choices (`options`: an import's source without its credentials, `mask: false`)."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
        ALTER TABLE "operations" ADD "progress" JSON;
        ALTER TABLE "operations" ADD "options" JSON;"""

POSTGRES = """
        ALTER TABLE "operations" ADD "progress" JSONB;
        ALTER TABLE "operations" ADD "options" JSONB;"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return POSTGRES if db.capabilities.dialect == "postgres" else SQLITE


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "operations" DROP COLUMN "progress";
        ALTER TABLE "operations" DROP COLUMN "options";"""


MODELS_STATE = ""
