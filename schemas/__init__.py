"""Scheming YAML of the CIM (installed as ``ckanext.cimibague.schemas``).

Reference a file as ``ckanext.cimibague.schemas:FILE.yaml`` in ``scheming.*_schemas``.
"""
