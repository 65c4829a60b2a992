"""Auth functions of ckanext-cimibague."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["cimibague_vocabulary_list", "cimibague_vocabulary_show"]


@tk.auth_allow_anonymous_access
def cimibague_vocabulary_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def cimibague_vocabulary_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}
