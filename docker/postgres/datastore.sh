#!/bin/sh
# The DataStore's database and its read-only role (CKAN's DataStore, loaded by ckanext-xloader), the way
# bin/cim's ensure_datastore makes them for dev and tests. Idempotent: run by the postgres image on a new
# volume (/docker-entrypoint-initdb.d) and by the CKAN web container at every start (ckan/entrypoint.sh,
# over TCP with the PG* variables), so a volume made before the DataStore gets them too, and a changed
# CIM_DATASTORE_RO_PASSWORD is applied. The database belongs to $POSTGRES_USER (the DataStore's write URL);
# `ckan datastore set-permissions` then confines the read-only role (ckan/entrypoint.sh).
# No `exit` and no `set -u`: the postgres image sources a non-executable init script into its own shell.
set -e
: "${CIM_DATASTORE_RO_PASSWORD:?set CIM_DATASTORE_RO_PASSWORD in .env}"
psql -v ON_ERROR_STOP=1 -q --username "${POSTGRES_USER:-ckan}" --dbname "${POSTGRES_DB:-cimibague}" \
  -v owner="${POSTGRES_USER:-ckan}" -v ds_db="${CIM_DATASTORE_DB:-cimibague_datastore}" \
  -v ro_user="${CIM_DATASTORE_RO_USER:-cim_datastore_ro}" -v ro_password="$CIM_DATASTORE_RO_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', :'ro_user')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'ro_user') \gexec
ALTER ROLE :"ro_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'ro_password';
SELECT format('CREATE DATABASE %I OWNER %I', :'ds_db', :'owner')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'ds_db') \gexec
SQL
