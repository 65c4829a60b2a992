"""DataStore and ckanext-xloader for the CIM (issue 9): loading, typing, and no leaks.

The ``cimibague_datos`` plugin (plugin.py) wires: ``load`` (the load job), ``dictionary`` (column ids,
types and the data dictionary), ``tables`` (COPY into typed columns and the swap), ``bookkeeping`` (the
DataStore's own writes let through the workflow's guard), ``auth`` (no rows written into frozen or
published tables), ``access`` (the channels CKAN leaves open), ``actions`` (``xloader_submit`` and
``datastore_search_sql`` chained). The ``cimibague_grafico`` plugin (chart_view.py, logic in chart_data.py)
is the chart view of the loaded tables.

How xloader 2.6.0 loads, read in its source (``ckanext/xloader/{jobs,loader,action,utils}.py``), and what
follows for the CIM:

1. Not transactional. ``loader.load_csv`` empties an existing table whose columns it finds unchanged
   (``_clear_datastore_resource``: TRUNCATE, committed) or drops it (``delete_datastore_resource``)
   *before* it converts the file and COPYs it (``copy_file``, another transaction); a new table is
   created empty by ``datastore_create``, which marks the resource ``datastore_active`` at once. A bad
   row found while converting (``_should_keep_cell``) or by COPY ("missing data for column") therefore
   leaves an empty or missing table, served as such.
2. A failed COPY falls back (``jobs.xloader_data_into_datastore_``: ``direct_load`` → ``tabulator_load``)
   to row-by-row loading with type guessing (month-first dates, ``35.120`` read as 35.12) that writes the
   guesses as ``type_override`` into the data dictionary (``loader._save_type_overrides``).
3. ``load_csv`` creates the columns of a data dictionary's ``type_override`` with that type and COPYs the
   file's text into them: a corrected type (numeric) and Colombian text (``35.120``) fail the COPY, after
   the TRUNCATE.
4. The interface (``interfaces.IXloader``): ``can_upload(resource_id)`` — called by ``xloader_submit``
   only after it raised for a missing ``ckanext.xloader.api_token``; ``after_upload`` — called only by
   ``xloader_hook``, the HTTP callback the job posts to ``ckan.site_url``, and twice (``running_but_viewable``
   then ``complete``), after the data is already served; ``datastore_before_update(resource_id,
   existing_fields, new_headers)`` — before the TRUNCATE or the create (after the DROP when columns
   changed); its ``new_headers`` are the columns to be created.
5. The job downloads the file itself (an upload through the site's own URL with the key), and for CKAN
   2.12 records ``datastore_active`` with ``resource_patch`` of the whole job metadata as the site user
   (``utils.set_resource_metadata``); it drops tables with an empty user, which CKAN's activity stream
   refuses ("User not found").

So, without forking: the CIM load (load.py) replaces xloader's *job* and keeps the rest of xloader. It
reads the file once (uploads from CKAN's storage; URLs with ``ckanext.cimibague.datos.download_timeout``
and ``ckanext.xloader.max_content_length``), checks and analyses it with ``tabular.analyse`` — every
refusal (empty file, header alone, ragged rows, size, broken workbook, unreadable text, silent or failing
address, column names the DataStore cannot take) happens *before* the table is touched, so the previous
table keeps answering and a first load makes no table — takes each column's type from the analysis or
from staff's correction in the data dictionary (dictionary.py), writes the rows with every typed cell
converted (``tabular.write_copy_csv``, for CSV, TSV and XLSX alike), and loads them itself (tables.py):
COPY into a temporary table with the final types, then, in one transaction, the table's rows replaced
with ``_full_text`` computed as xloader computes it and CKAN's indexes rebuilt. It does not call
xloader's ``loader.load_csv``: that reads the file again in Python, COPYs text into a table it emptied
beforehand (1), and would leave typing to an ``ALTER TABLE`` rewriting every row once more — three times
slower on 200,000 rows (bench/datastore_load.py). The table is created and dropped through CKAN's
``datastore_create`` / ``datastore_delete``, and the job ends with xloader's ``xloader_hook`` called
in-process (task status on xloader's badge and DataStore page, ``after_upload`` for other plugins, the
datatables view). ``xloader_submit`` is chained (actions.py) so that xloader's triggers (resource create
and URL change), its «Upload to DataStore» button and its CLI queue this job; its job logs stay in
xloader's jobs database (CKAN's own database: ``load.jobs_database``). Nothing calls back over HTTP, so no
API key is configured (``ckanext.xloader.api_token`` stays unset: xloader's own ``xloader_submit`` is
never reached).

Readers of the previous table keep its rows until the new ones are committed. Only when the columns
change is the table dropped and created again, and for that moment a reader finds no table or an empty
one; a failure of the database itself after that point is reported like the others.
"""
