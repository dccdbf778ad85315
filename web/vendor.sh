#!/bin/sh
# Copy the few files the console uses from the npm libraries (web/package-lock.json) into the
# served folder web/vendor/, so the front door serves the console's own files only: never
# package*.json nor the node_modules tree. Run after `npm ci` (install.sh, the Dockerfile).
set -eu
cd "$(dirname "$0")"
rm -rf vendor.new
for file in chart.js/dist/chart.umd.min.js hash-wasm/dist/index.esm.min.js; do
  mkdir -p "vendor.new/$(dirname "$file")"
  cp "node_modules/$file" "vendor.new/$file"
done
rm -rf vendor && mv vendor.new vendor
