#!/bin/sh
# Renders the production ini from the environment, then runs one role of the CIM portal:
#   web | jobs | harvest-gather | harvest-fetch | harvest-run | ckan ARGS...
set -eu
SRC=/srv/app/src/ckanext-cimibague
python3 "$SRC/config/render_ini.py" "$SRC/config/production.ini.tmpl" "$CKAN_INI" \
  CONFIG_DIR="$SRC/config" SECRET="$CIM_SECRET" SITE_ID="$CIM_SITE_ID" SITE_URL="$CIM_SITE_URL" \
  DATABASE_URL="$CIM_DATABASE_URL" SOLR_URL="$CIM_SOLR_URL" REDIS_URL="$CIM_REDIS_URL" \
  STORAGE_PATH=/var/lib/ckan SMTP_SERVER="$CIM_SMTP_SERVER" SMTP_MAIL_FROM="$CIM_SMTP_MAIL_FROM"

role=${1:-web}
[ $# -gt 0 ] && shift
case "$role" in
  web)
    ckan -c "$CKAN_INI" db init
    ckan -c "$CKAN_INI" cimibague seed
    exec gunicorn ckanext.cimibague.wsgi:application --bind 0.0.0.0:5000 \
      --workers "${CIM_WEB_WORKERS:-4}" --timeout 120 --access-logfile -
    ;;
  jobs) exec ckan -c "$CKAN_INI" jobs worker ;;
  harvest-gather | harvest-fetch)
    # redis-py 8 times idle sockets out after 5 s and the consumers' BLPOP has no timeout
    # (ckanext-harvest issue #581): give the consumers' connection a one-year socket timeout
    case "$CIM_REDIS_URL" in *\?*) sep='&' ;; *) sep='?' ;; esac
    export CKAN_REDIS_URL="${CIM_REDIS_URL}${sep}socket_timeout=31536000"
    exec ckan -c "$CKAN_INI" harvester "${role#harvest-}-consumer"
    ;;
  harvest-run)
    while true; do ckan -c "$CKAN_INI" harvester run; sleep "${CIM_HARVEST_EVERY:-300}"; done
    ;;
  ckan) exec ckan -c "$CKAN_INI" "$@" ;;
  *) echo "unknown role: $role (web, jobs, harvest-gather, harvest-fetch, harvest-run, ckan)" >&2; exit 2 ;;
esac
