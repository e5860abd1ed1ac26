#!/bin/sh
# `npm start` and `npm run cli` run this first: build from a fresh clone or after a source change,
# and otherwise start at once instead of recompiling what is already built.
set -e
cd "$(dirname "$0")/.."
stamp=dist/.built
if [ -f "$stamp" ] && [ -z "$(find src generated scripts openapi.yaml redocly.yaml package.json tsconfig.json tsconfig.build.json -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
npm run --silent build
