#!/usr/bin/env bash
# `npm test` runs a PgBouncer test (test/reliability/pgbouncer.e2e-spec.ts), and PgBouncer comes from
# Debian's packages, not npm: install it when it is missing and this machine can (root with apt-get),
# so the README's test command stays the only set-up step. Otherwise say how; the test then fails
# with the same advice.
command -v pgbouncer >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing pgbouncer (Debian package) for the PgBouncer test..."
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer) >/dev/null 2>&1; then
    exit 0
  fi
fi
echo "pgbouncer is not installed and could not be installed here: install it (apt-get install pgbouncer) or the PgBouncer test fails." >&2
exit 0
