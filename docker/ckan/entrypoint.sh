#!/bin/sh
# Renders the production ini from the environment, then runs one role of the CIM portal:
#   web | jobs | harvest-gather | harvest-fetch | harvest-run | ckan ARGS...
set -eu
SRC=/srv/app/src/ckanext-cimibague
python3 "$SRC/config/render_ini.py" "$SRC/config/production.ini.tmpl" "$CKAN_INI" \
  CONFIG_DIR="$SRC/config" SECRET="$CIM_SECRET" SITE_ID="$CIM_SITE_ID" SITE_URL="$CIM_SITE_URL" \
  DATABASE_URL="$CIM_DATABASE_URL" SOLR_URL="$CIM_SOLR_URL" REDIS_URL="$CIM_REDIS_URL" \
  STORAGE_PATH=/var/lib/ckan SMTP_SERVER="$CIM_SMTP_SERVER" SMTP_MAIL_FROM="$CIM_SMTP_MAIL_FROM"
# The DataStore (ckanext-xloader loads into it): every ckan process loads the datastore plugin, which reads
# its URLs from these variables, as with bin/cim. Write: the owner of the database; read: the read-only role.
export CKAN_DATASTORE_WRITE_URL="${CIM_DATASTORE_WRITE_URL:?set CIM_DATASTORE_WRITE_URL in .env}"
export CKAN_DATASTORE_READ_URL="${CIM_DATASTORE_READ_URL:?set CIM_DATASTORE_READ_URL in .env}"

ensure_datastore() {
  # As the superuser of the compose `db` service (POSTGRES_* of .env), like bin/cim's ensure_datastore: the
  # database and read-only role (docker/postgres/datastore.sh, idempotent), then `ckan datastore
  # set-permissions` once per database (it creates the _table_metadata view). Without POSTGRES_PASSWORD (a
  # managed PostgreSQL) the DBA does both once (README.md).
  [ -n "${POSTGRES_PASSWORD:-}" ] || return 0
  (
    export PGHOST="${CIM_POSTGRES_HOST:-db}" PGUSER="${POSTGRES_USER:-ckan}" PGPASSWORD="$POSTGRES_PASSWORD"
    sh "$SRC/docker/postgres/datastore.sh"
    ds_db=${CIM_DATASTORE_DB:-cimibague_datastore}
    view=$(psql -qtA -d "$ds_db" -c "SELECT 1 FROM pg_views WHERE viewname = '_table_metadata'")
    if [ "$view" != 1 ]; then
      echo "DataStore permissions on $ds_db (ckan datastore set-permissions | psql)" >&2
      sql=$(ckan -c "$CKAN_INI" datastore set-permissions)   # no pipe: a failure of ckan must stop here
      printf '%s\n' "$sql" | psql -v ON_ERROR_STOP=1 -q -d "${POSTGRES_DB:-cimibague}"
    fi
  )
}

role=${1:-web}
[ $# -gt 0 ] && shift
case "$role" in
  web)
    ensure_datastore
    ckan -c "$CKAN_INI" db init
    ckan -c "$CKAN_INI" cimibague seed
    exec gunicorn ckanext.cimibague.wsgi:application --bind 0.0.0.0:5000 \
      --workers "${CIM_WEB_WORKERS:-4}" --timeout 120 --access-logfile -
    ;;
  # no queue names: the queue "default", where CKAN and ckanext-xloader (ckanext.xloader.queue_names) put jobs
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
