"""Packaging of ckanext-cimibague (metadata in pyproject.toml).

The source root of the ``ckanext.cimibague`` namespace package is ``ckanext-cimibague/``; the top-level
``schemas/`` and ``harvesters/`` folders are mapped into it as ``ckanext.cimibague.schemas`` and
``ckanext.cimibague.harvesters``. ``ckanext`` stays a pkg_resources-style namespace shared with CKAN and
the other extensions, as CKAN core does.
"""

from setuptools import find_packages, setup

SRC = "ckanext-cimibague"
MAPPED = {
    "ckanext.cimibague.schemas": "schemas",
    "ckanext.cimibague.harvesters": "harvesters",
}


def mapped_packages() -> list[str]:
    packages = []
    for package, folder in MAPPED.items():
        packages.append(package)
        packages += [f"{package}.{sub}" for sub in find_packages(folder)]
    return packages


setup(
    package_dir={"": SRC, **MAPPED},
    packages=find_packages(SRC, exclude=["tests", "tests.*"]) + mapped_packages(),
    namespace_packages=["ckanext"],
    include_package_data=False,
    package_data={
        "ckanext.cimibague": [
            "config_declaration.yaml",
            "templates/**/*",
            "assets/**/*",
            "public/**/*",
            "i18n/**/*",
            "migration/**/*",
        ],
        "ckanext.cimibague.schemas": ["*.yaml", "*.json", "vocabularies/*"],
        "ckanext.cimibague.harvesters": ["*.yaml", "*.json", "i18n/*/LC_MESSAGES/*", "templates/**/*"],
    },
    zip_safe=False,
)
