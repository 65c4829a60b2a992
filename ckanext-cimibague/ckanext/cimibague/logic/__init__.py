"""Actions, auth functions and validators of ckanext-cimibague."""
