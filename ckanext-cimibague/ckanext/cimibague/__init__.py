"""ckanext-cimibague: the open-data catalogue of the Centro de Información Municipal de Ibagué."""
