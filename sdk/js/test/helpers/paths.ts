// Where the package lives, whether the tests run from build/ or not.
import { fileURLToPath } from "node:url";

/** sdk/js: this file is at build/test/helpers/paths.js once compiled. */
export const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));

export const repoRoot = fileURLToPath(new URL("../../../../../", import.meta.url));
