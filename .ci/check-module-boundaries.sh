#!/usr/bin/env bash
# Proves the build rule that keeps services apart still bites: in a scratch copy, make one service
# depend on another and expect the enforcer to fail the build with its message.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$ROOT" && tar --exclude='./*/target' --exclude=./.git -cf - .) | tar -xf - -C "$scratch"
pom="$scratch/detector-service/pom.xml"
awk 'done != 1 && /<dependencies>/ { print; print "    <dependency><groupId>io.vigil</groupId><artifactId>gateway-service</artifactId><version>${project.version}</version></dependency>"; done = 1; next } { print }' \
  "$pom" > "$pom.new" && mv "$pom.new" "$pom"
if out="$(cd "$scratch" && ./mvnw -B -q -pl gateway-service,detector-service -am validate 2>&1)"; then
  echo "module boundaries: a service depending on another service was NOT refused" >&2
  exit 1
fi
if ! grep -q "may depend on io.vigil:common only" <<<"$out"; then
  echo "module boundaries: the build failed, but not on the boundary rule:" >&2
  echo "$out" | tail -20 >&2
  exit 1
fi
echo "module boundaries: a service depending on another service is refused by the build"
