// The checked-in types must be what openapi-typescript makes of openapi.yaml today.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";

import { packageRoot, repoRoot } from "./helpers/paths.js";

it("src/generated/openapi.ts is regenerated from openapi.yaml unchanged", () => {
  const scratch = mkdtempSync(join(tmpdir(), "stagdb-js-generated-"));
  try {
    const output = join(scratch, "openapi.ts");
    execFileSync(
      join(packageRoot, "node_modules", ".bin", "openapi-typescript"),
      [join(repoRoot, "openapi.yaml"), "--output", output],
      { cwd: packageRoot, stdio: "pipe" },
    );
    const committed = readFileSync(join(packageRoot, "src", "generated", "openapi.ts"), "utf8");
    assert.ok(
      readFileSync(output, "utf8") === committed,
      "src/generated/openapi.ts is stale: run `npm run generate` in sdk/js and commit the result",
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
