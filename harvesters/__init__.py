"""ckanext-harvest plugins for the CIM's source entities (installed as ``ckanext.cimibague.harvesters``).

Each harvester is a ``ckan.plugins`` entry point listed after ``harvest`` in ``ckan.plugins``.
"""
