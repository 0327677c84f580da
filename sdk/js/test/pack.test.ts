// `npm pack` makes a package that installs, imports and type-checks in a fresh project.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { packageRoot } from "./helpers/paths.js";

const CONSUMER = `
import { NotFoundError, StagDB, StagDBError, type Database, verifyWebhook } from "stagdb-js";

const client = new StagDB({ baseUrl: "http://127.0.0.1:9/", apiKey: "sdb_example" });
export async function runningNames(): Promise<string[]> {
  const all: string[] = [];
  for await (const database of client.databases.list({ status: "running" })) {
    const typed: Database = database;
    all.push(typed.name);
  }
  return all;
}
console.log(JSON.stringify({
  baseUrl: client.baseUrl,
  notFoundIsStagDBError: NotFoundError.prototype instanceof StagDBError,
  verify: typeof verifyWebhook,
}));
`;

interface PackEntry {
  filename: string;
  files: { path: string }[];
}

describe("npm pack", () => {
  let scratch = "";
  let packed: PackEntry;
  const run = (command: string, args: string[], cwd: string): string =>
    execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), "stagdb-js-pack-"));
    const output = run("npm", ["pack", "--json", "--pack-destination", scratch], packageRoot);
    [packed] = JSON.parse(output.slice(output.indexOf("["))) as [PackEntry];
  });

  after(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it("holds the built modules and their declarations only", () => {
    const paths = packed.files.map((file) => file.path);
    for (const needed of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts"]) {
      assert.ok(paths.includes(needed), `${needed} is packed`);
    }
    assert.deepEqual(
      paths.filter((path) => !path.startsWith("dist/") && !["package.json", "README.md"].includes(path)),
      [],
    );
  });

  it("installs into a fresh project, imports and type-checks there", () => {
    const project = join(scratch, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(scratch, packed.filename)], project);
    writeFileSync(join(project, "main.ts"), CONSUMER);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          types: [],
        },
      }),
    );
    run(join(packageRoot, "node_modules", ".bin", "tsc"), ["-p", "."], project);
    const printed = JSON.parse(run("node", ["main.js"], project)) as Record<string, unknown>;
    assert.deepEqual(printed, {
      baseUrl: "http://127.0.0.1:9/v1",
      notFoundIsStagDBError: true,
      verify: "function",
    });
  });
});
