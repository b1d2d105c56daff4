import copy

import jsonschema
import pytest
import yaml

from hatlib.activations import ACTIVATIONS
from hatlib.config import ConfigError, check_config
from hatlib.fem import GRAM_MATRICES
from hatlib.models import INITIALISATIONS
from hatlib.training import DTYPES, OPTIMIZERS, TRAINABLE


@pytest.fixture(scope="module")
def schema(repository):
    return yaml.safe_load((repository / "workflow/schemas/config.schema.yaml").read_text())


@pytest.fixture(scope="module")
def quick(repository):
    return yaml.safe_load((repository / "config/quick.yaml").read_text())


def test_schema_names_equal_hatlib_registries(schema):
    train = schema["properties"]["train"]["properties"]
    assert set(schema["$defs"]["activation"]["enum"]) == set(ACTIVATIONS)
    assert set(schema["$defs"]["optimizer"]["enum"]) == set(OPTIMIZERS)
    assert set(schema["properties"]["learning_rate_grid"]["properties"]) == set(OPTIMIZERS)
    ablation = train["ablation"]["properties"]["initialisations"]["items"]["enum"]
    assert set(ablation) == set(INITIALISATIONS)
    assert set(train["initialisation"]["enum"]) == set(INITIALISATIONS)
    assert set(train["dtype"]["enum"]) == set(DTYPES)
    assert tuple(train["trainable"]["enum"]) == TRAINABLE
    theory = schema["properties"]["theory"]["properties"]
    assert theory["activations"]["items"] == {"$ref": "#/$defs/activation"}
    assert set(schema["properties"]["fem"]["properties"]["bases"]["items"]["enum"]) == set(
        GRAM_MATRICES
    )


@pytest.mark.parametrize("name", ["config/config.yaml", "config/quick.yaml"])
def test_shipped_configs_are_valid(repository, schema, name):
    config = yaml.safe_load((repository / name).read_text())
    jsonschema.validate(config, schema)
    assert check_config(config) == []


def test_every_schema_key_is_described(schema):
    def walk(node, path):
        for key, child in node.get("properties", {}).items():
            assert "description" in child or "$ref" in child or "properties" in child, (
                f"{path}.{key}"
            )
            walk(child, f"{path}.{key}")

    walk(schema, "config")


def test_frequency_above_nyquist_is_an_error_naming_both_fields(quick):
    config = copy.deepcopy(quick)
    config["train"]["frequencies"] = [1, 128]
    with pytest.raises(ConfigError, match=r"train.frequencies contains 128.*num_points = 256"):
        check_config(config)


def test_narrow_network_warns_with_both_numbers(quick):
    config = copy.deepcopy(quick)
    config["train"]["width"] = 16
    (warning,) = check_config(config)
    assert "train.width = 16" in warning and "frequency 8" in warning


def test_ablation_of_an_untrained_activation_is_an_error(quick):
    config = copy.deepcopy(quick)
    config["train"]["ablation"]["activations"] = ["relu"]
    config["train"]["activations"] = ["hat"]
    with pytest.raises(ConfigError, match=r"ablation\.activations contains 'relu'"):
        check_config(config)


def test_digits_images_without_labels_is_an_error(quick):
    config = copy.deepcopy(quick)
    config["digits"]["images"] = "train-images-idx3-ubyte"
    with pytest.raises(ConfigError, match=r"digits\.labels = None"):
        check_config(config)


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("fem", "spectrum_grids", [32, 100], "fem.spectrum_grids contains 100"),
        ("fem", "eigenfunction_grid", 48, "fem.eigenfunction_grid = 48"),
        ("fem", "mesh_ratios", [2, 4], "must contain 1"),
        ("theory", "modes", [1, 64], "theory.modes contains 64.*theory.width = 32"),
        ("theory", "frequencies", [1, 300], "theory.frequencies contains 300"),
    ],
)
def test_fem_and_theory_cross_checks(quick, section, key, value, message):
    config = copy.deepcopy(quick)
    config[section][key] = value
    with pytest.raises(ConfigError, match=message):
        check_config(config)


def _set(config, dotted, value):
    *parents, last = dotted.split(".")
    node = config
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


DELETE = object()

# (field to change, bad value, text the error must contain: the field and the value)
BAD_CONFIGS = [
    ("device", "tpu", "device = 'tpu'"),
    ("device", 1, "device = 1"),
    ("data.num_points", "256", "data.num_points = '256'"),
    ("data.num_points", 4, "data.num_points = 4"),
    ("data.num_points", 256.5, "data.num_points = 256.5"),
    ("train.activations", ["relu", "sigmoid"], "train.activations[1] = 'sigmoid'"),
    ("train.activations", [], "train.activations = []"),
    ("train.activations", ["hat", "hat"], "train.activations = ['hat', 'hat']"),
    ("train.activations", "hat", "train.activations = 'hat'"),
    ("train.optimizers", ["sgd", "lbfgs"], "train.optimizers[1] = 'lbfgs'"),
    ("train.optimizers", [], "train.optimizers = []"),
    ("train.frequencies", [0, 1], "train.frequencies[0] = 0"),
    ("train.frequencies", [-2], "train.frequencies[0] = -2"),
    ("train.frequencies", [], "train.frequencies = []"),
    ("train.frequencies", [1.5], "train.frequencies[0] = 1.5"),
    ("train.frequencies", [1, 200], "train.frequencies contains 200"),
    ("train.seeds", 0, "train.seeds = 0"),
    ("train.seeds", -1, "train.seeds = -1"),
    ("train.width", 1, "train.width = 1"),
    ("train.initialisation", "xavier", "train.initialisation = 'xavier'"),
    ("train.iterations", 0, "train.iterations = 0"),
    ("train.log_every", 0, "train.log_every = 0"),
    ("train.trainable", "inner", "train.trainable = 'inner'"),
    ("train.stop_below", -0.1, "train.stop_below = -0.1"),
    ("train.dtype", "float16", "train.dtype = 'float16'"),
    ("learning_rate_grid.sgd", [-0.1], "learning_rate_grid.sgd[0] = -0.1"),
    ("learning_rate_grid.adam", [0], "learning_rate_grid.adam[0] = 0"),
    ("learning_rate_grid.sgd", ["fast"], "learning_rate_grid.sgd[0] = 'fast'"),
    ("learning_rate_grid.rmsprop", [0.1], "unknown key(s) ['rmsprop'] in learning_rate_grid"),
    ("learning_rate_grid.adam", DELETE, "'adam' is a required property"),
    ("train.learning_rate_selection.frequency", 200, "learning_rate_selection.frequency = 200"),
    ("multifrequency.one_d.frequencies", [1, 300], "one_d.frequencies contains 300"),
    ("multifrequency.two_d.frequencies", [[1, 0], [0, 0]], "contains [0, 0]"),
    ("multifrequency.networks.deep.depth", 0, "multifrequency.networks.deep.depth = 0"),
    ("digits.classes", [3, 3], "digits.classes"),
    ("digits.test_fraction", 1.0, "digits.test_fraction = 1.0"),
    ("train.widht", 64, "unknown key(s) ['widht'] in train"),
    ("train.width", DELETE, "'width' is a required property"),
    ("fem.bases", ["relu", "quadratic"], "fem.bases[1] = 'quadratic'"),
    ("fem.grid_sizes", [16, 3], "fem.grid_sizes[1] = 3"),
    ("fem.spectrum_grids", [100], "fem.spectrum_grids contains 100"),
    ("fem.mesh_ratios", [0, 1], "fem.mesh_ratios[0] = 0"),
    ("theory.reduction", 1, "theory.reduction = 1"),
    ("theory.modes", [40], "theory.modes contains 40"),
    ("analysis.tolerance", 1.5, "analysis.tolerance = 1.5"),
    ("analysis", DELETE, "'analysis' is a required property"),
    ("classic.cases.equal", [1, 1], "classic.cases.equal has 2 amplitudes"),
    ("classic.frequencies", [2, 4, 8, 40], "classic.frequencies contains 40"),
    ("classic.models", [{"activation": "hat", "initialisation": "xavier"}], "'xavier'"),
    ("classic.learning_rate", 0, "classic.learning_rate = 0"),
    ("multifrequency.alternatives.siren.omega0", 0, "siren.omega0 = 0"),
    ("multifrequency.alternatives.fourier.sigma", -1.0, "fourier.sigma = -1.0"),
    ("pde.coefficients", [1.0, 1.0, 1.0], "pde.coefficients has 3 entries"),
    ("pde.coefficients", [1.0, 0], "pde.coefficients = [1.0, 0] contains a zero"),
    ("pde.activations", ["sine"], "pde.activations[0] = 'sine'"),
    ("pde.learning_rates.sgd", [], "pde.learning_rates.sgd = []"),
    ("claims", DELETE, "'claims' is a required property"),
    ("claims.confidence", 1.0, "claims.confidence = 1.0"),
    ("claims.bootstrap_replicates", 10, "claims.bootstrap_replicates = 10"),
    ("claims.flat_exponent", 1.5, "claims.flat_exponent = 1.5 must be below"),
    ("claims.flat_ratio", 5.0, "claims.flat_ratio = 5.0 must be below"),
    ("claims.speedup", 0.5, "claims.speedup = 0.5"),
    ("claims.tolerence", 0.1, "unknown key(s) ['tolerence'] in claims"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), BAD_CONFIGS, ids=[b[0] for b in BAD_CONFIGS]
)
def test_bad_config_is_rejected_naming_field_and_value(schema, quick, field, value, message):
    from hatlib.config import validate_config

    config = copy.deepcopy(quick)
    _set(config, field, value)
    with pytest.raises(ConfigError) as error:
        validate_config(config, schema)
    assert message in str(error.value)


def test_enough_bad_configs_are_tried():
    assert len(BAD_CONFIGS) >= 25


def test_valid_config_passes_validation(schema, quick):
    from hatlib.config import validate_config

    assert validate_config(quick, schema) == []
