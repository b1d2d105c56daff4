"""The project's license and citation files are valid and agree with pyproject.toml."""

import json
import tomllib

import jsonschema
import pytest
import yaml


@pytest.fixture(scope="module")
def project(repository):
    return tomllib.loads((repository / "pyproject.toml").read_text())["project"]


def test_citation_file_is_valid_cff_1_2_0(repository, project):
    # the Citation File Format's own schema, version 1.2.0 (tests/data, CC-BY-4.0)
    schema = json.loads((repository / "tests/data/cff-1.2.0.schema.json").read_text())
    citation = yaml.safe_load((repository / "CITATION.cff").read_text())
    jsonschema.Draft7Validator(schema).validate(citation)
    assert citation["version"] == project["version"]
    assert citation["license"] == project["license"]["text"]
    with pytest.raises(jsonschema.ValidationError):  # the schema does reject a bad file
        jsonschema.Draft7Validator(schema).validate({**citation, "authors": []})


def test_license_file_matches_pyproject(repository, project):
    text = (repository / "LICENSE").read_text()
    assert project["license"]["text"] == "MIT" and text.startswith("MIT License")
