"""Writes the SDL to schema/schema.graphql: `python -m schema.export` after changing the schema."""

from __future__ import annotations

from pathlib import Path

from schema.build import schema

SDL_PATH = Path(__file__).resolve().parent / "schema.graphql"


def sdl() -> str:
    return schema.as_str() + "\n"


if __name__ == "__main__":
    SDL_PATH.write_text(sdl())
    print(f"wrote {SDL_PATH}")
