"""Choosing a provider for work: models and capabilities, the project's own terms and
second names, wildcard models, credentials -- and every check made before a refused
provider is ever connected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from shotline.errors import InputError
from shotline.governance.policy import PolicyRefusal
from shotline.providers.builtin import PREVIS
from shotline.providers.protocols import ProviderConfig
from shotline.providers.routing import Route, connect, resolve
from shotline.providers.types import EMBEDDING, IMAGE, IMAGE_EDIT, SPEECH, TEXT, TEXT_STRUCTURED
from shotline.store.settings import Settings, parse_settings
from tests.providers.plugins import (
    ACME,
    CONNECTED,
    GOOD_TERMS,
    ON,
    TRAINING_TERMS,
    VERIFIED,
    WILD,
    Connection,
    install_acme,
)

HEAD = 'name = "Two Rooms"\nscript = "two-rooms.fountain"\n'
DECLARED = """
[providers.acme.terms]
trains_on_inputs = false
trains_on_outputs = false
retention_days = 0
zero_data_retention = true
human_review = false
regions = ["eu-west-1"]
evidence_url = "https://wiki.example/acme-contract"
verified_at = 2026-05-20
"""


@pytest.fixture(autouse=True)
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    install_acme(tmp_path / "site", monkeypatch)
    CONNECTED.clear()
    yield
    CONNECTED.clear()


def settings(text: str = "") -> Settings:
    return parse_settings(HEAD + text)


def route(ref: str, capability: str = TEXT, text: str = "", **kw: Any) -> Route:
    kw.setdefault("on", ON)
    kw.setdefault("environ", {})
    return resolve(settings(text), ref, capability, **kw)


def refused_by(ref: str, capability: str = TEXT, text: str = "", **kw: Any) -> list[str]:
    with pytest.raises(PolicyRefusal) as caught:
        route(ref, capability, text, **kw)
    assert caught.value.provider.startswith(ref.split(":", maxsplit=1)[0] + ":")
    return [v.rule for v in caught.value.violations]


def test_a_compliant_model_resolves_and_connects(no_network: list[Any]) -> None:
    found = route("acme:acme-text", TEXT_STRUCTURED)
    assert (found.name, found.ref, found.plugin) == ("acme", "acme:acme-text", ACME)
    assert found.model.name == "acme-text" and found.terms == GOOD_TERMS
    assert found.config.name == "acme"
    assert found.config.endpoint == "https://api.acme.example/v1"  # the plugin's default
    assert CONNECTED == []  # resolving connects nothing
    made = connect(found)
    assert made == Connection(found.config) and [found.config] == CONNECTED
    assert no_network == []


def test_a_model_training_on_inputs_is_refused_before_connect(no_network: list[Any]) -> None:
    with pytest.raises(PolicyRefusal) as caught:
        route("acme:acme-free")
    assert [v.rule for v in caught.value.violations] == ["no-training-on-inputs"]
    assert caught.value.provider == "acme:acme-free"
    assert "no-training-on-inputs" in str(caught.value)
    assert CONNECTED == []
    assert no_network == []


def test_unknown_terms_are_refused(no_network: list[Any]) -> None:
    assert refused_by("acme:acme-mystery") == ["terms-unknown"]
    assert CONNECTED == [] and no_network == []


def test_stale_terms_are_refused_until_the_policy_allows_their_age() -> None:
    later = VERIFIED + timedelta(days=181)
    assert refused_by("acme:acme-text", on=later) == ["terms-stale"]
    assert route("acme:acme-text", on=later, text="[policy]\nreverify_days = 365\n")
    assert CONNECTED == []


def test_the_projects_policy_decides() -> None:
    allowing = "[policy]\nallow_training_on_inputs = true\n"
    assert route("acme:acme-free", text=allowing).terms == TRAINING_TERMS
    narrow = '[policy]\nregions = ["us"]\n'
    assert refused_by("acme:acme-text", text=narrow) == ["regions"]


def test_the_projects_own_terms_make_an_unknown_model_allowed() -> None:
    found = route("acme:acme-mystery", text=DECLARED)
    assert found.terms.unknown() == []
    assert found.terms.evidence_url == "https://wiki.example/acme-contract"
    assert found.terms.verified_at == VERIFIED + timedelta(days=19)
    assert found.model.terms.unknown()  # the plugin's own declaration is unchanged


def test_the_projects_terms_overlay_only_what_they_declare() -> None:
    partial = """
[providers.acme.terms]
human_review = true
evidence_url = "https://wiki.example/acme-review"
verified_at = 2026-05-25
"""
    assert refused_by("acme:acme-text", text=partial) == ["human-review"]
    found = route("acme:acme-text", text=partial + "[policy]\nallow_human_review = true\n")
    assert found.terms.regions == GOOD_TERMS.regions
    assert found.terms.human_review is True


@pytest.mark.parametrize("missing", ["evidence_url", "verified_at"])
def test_declared_terms_must_say_where_from_and_when(missing: str) -> None:
    text = "\n".join(line for line in DECLARED.splitlines()
                     if not line.startswith(missing))
    with pytest.raises(InputError) as caught:
        route("acme:acme-mystery", text=text)
    assert missing in caught.value.message and "providers.acme.terms" in caught.value.message
    assert CONNECTED == []


def test_declared_terms_are_checked() -> None:
    with pytest.raises(InputError, match="retention_days"):
        route("acme:acme-text", text=DECLARED.replace("retention_days = 0",
                                                       "retention_days = -1"))
    with pytest.raises(InputError, match="must be a table"):
        route("acme:acme-text", text='[providers.acme]\nterms = "fine"\n')


def test_a_second_name_for_a_plugin() -> None:
    text = '[providers.box]\nplugin = "acme"\nendpoint = "https://box.internal/v1"\n'
    found = route("box:acme-text", text=text)
    assert found.plugin is ACME
    assert (found.name, found.ref, found.config.name) == ("box", "box:acme-text", "box")
    assert found.config.endpoint == "https://box.internal/v1"
    # The second name's terms are its own: declared for acme, they do not reach box.
    assert refused_by("box:acme-mystery", text=text + DECLARED) == ["terms-unknown"]
    assert route("box:acme-mystery",
                 text=text + DECLARED.replace("providers.acme.terms", "providers.box.terms"))


def test_a_second_name_for_a_missing_plugin() -> None:
    with pytest.raises(InputError, match="no provider 'nobody'"):
        route("box", text='[providers.box]\nplugin = "nobody"\n')


def test_a_wildcard_model_takes_its_name_from_the_ref() -> None:
    found = route("wild:llama3.1:8b")
    assert found.model.name == "llama3.1:8b" and found.ref == "wild:llama3.1:8b"
    assert found.model.capabilities == WILD.info.models[0].capabilities
    assert found.terms == GOOD_TERMS


def test_a_wildcard_model_takes_its_name_from_the_table() -> None:
    found = route("wild", text='[providers.wild]\nmodels = ["qwen2.5:7b", "phi4"]\n')
    assert found.model.name == "qwen2.5:7b"
    assert found.config.options["models"] == ["qwen2.5:7b", "phi4"]
    assert route("wild:phi4", text='[providers.wild]\nmodels = ["qwen2.5:7b"]\n'
                 ).model.name == "phi4"


def test_models_written_as_a_string_is_not_cut_to_its_first_letter() -> None:
    try:
        found = route("wild", text='[providers.wild]\nmodels = "llama3.1:8b"\n')
    except InputError:
        return  # refused as not a list: fine
    assert found.model.name == "llama3.1:8b"


def test_a_wildcard_needs_a_model_name() -> None:
    with pytest.raises(InputError) as caught:
        route("wild")
    assert "wild:MODEL" in caught.value.message and "models = [...]" in caught.value.message


def test_a_plugins_terms_may_depend_on_the_endpoint() -> None:
    remote = '[providers.wild]\nendpoint = "https://gpu.example.net/v1"\n'
    assert refused_by("wild:llama3.1:8b", text=remote) == ["terms-unknown"]
    declared = (remote + '[providers.wild.terms]\nregions = ["eu"]\n'
                'evidence_url = "https://wiki.example/gpu-box"\nverified_at = 2026-05-30\n')
    assert route("wild:llama3.1:8b", text=declared).terms.regions == ("eu",)


def test_a_capability_the_model_lacks_names_what_it_can_do() -> None:
    with pytest.raises(InputError) as caught:
        route("acme:acme-image", TEXT)
    message = caught.value.message
    assert "acme:acme-image cannot do text" in message
    assert "image, image.edit" in message


def test_an_unknown_model_names_the_models() -> None:
    with pytest.raises(InputError) as caught:
        route("acme:acme-ultra")
    assert "'acme-ultra'" in caught.value.message
    for name in ("acme-text", "acme-image", "acme-free", "acme-mystery"):
        assert name in caught.value.message


def test_an_unknown_provider_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no provider 'nope'"):
        route("nope:x")


@pytest.mark.parametrize(("capability", "model"), [
    (TEXT, "acme-text"), (TEXT_STRUCTURED, "acme-text"), (IMAGE, "acme-image"),
    (IMAGE_EDIT, "acme-image")])
def test_no_model_picks_the_first_that_can_do_the_work(capability: str, model: str) -> None:
    assert route("acme", capability).model.name == model


def test_no_model_able_to_do_the_work() -> None:
    with pytest.raises(InputError, match="cannot do speech"):
        route("acme", SPEECH)
    # The first model able to embed has unknown terms: refused, not skipped.
    assert refused_by("acme", EMBEDDING) == ["terms-unknown"]


def test_the_tables_default_model() -> None:
    text = '[providers.acme]\ndefault = "acme-image"\n'
    assert route("acme", IMAGE, text=text).model.name == "acme-image"
    assert route("acme:acme-text", TEXT, text=text).model.name == "acme-text"


def test_secrets_reach_the_config_only_for_declared_credentials() -> None:
    environ = {"ACME_API_KEY": "sk-acme-SECRET", "ACME_ORG": "", "OPENAI_API_KEY": "sk-other",
               "HOME": "/home/someone"}
    found = route("acme:acme-text", environ=environ)
    assert found.config.secrets == {"ACME_API_KEY": "sk-acme-SECRET"}
    assert "sk-acme-SECRET" not in repr(found.config) and "sk-acme-SECRET" not in repr(found)
    assert route("wild:m", environ=environ).config.secrets == {}


def test_the_environment_is_read_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_API_KEY", "sk-from-env")
    found = resolve(settings(), "acme:acme-text", TEXT, on=ON)
    assert found.config.secret("ACME_API_KEY") == "sk-from-env"


def test_the_config_comes_from_the_table() -> None:
    text = ('[providers.acme]\nendpoint = "https://eu.acme.example/v1"\nregion = "eu-west-1"\n'
            "timeout_s = 30\nretries = 1\nbackoff_s = 0.25\npoll_s = 5\n"
            'organization = "studio"\n')
    config = route("acme:acme-text", text=text).config
    assert config == ProviderConfig(name="acme", endpoint="https://eu.acme.example/v1",
                                    secrets={}, timeout_s=30.0, retries=1, backoff_s=0.25,
                                    poll_s=5.0, region="eu-west-1",
                                    options={"organization": "studio"})


@pytest.mark.parametrize("line", ["timeout_s = -1", 'retries = "4"', "backoff_s = true"])
def test_bad_numbers_in_the_table(line: str) -> None:
    with pytest.raises(InputError, match=line.split(" ", maxsplit=1)[0]):
        route("acme:acme-text", text=f"[providers.acme]\n{line}\n")
    assert CONNECTED == []


def test_a_provider_entry_must_be_a_table() -> None:
    with pytest.raises(InputError, match="must be a table"):
        route("acme:acme-text", text='[providers]\nacme = "fast"\n')


def test_the_builtin_previs_resolves_today(no_network: list[Any]) -> None:
    found = resolve(settings(), "previs", IMAGE_EDIT, environ={})
    assert found.plugin is PREVIS and found.ref == "previs:sketch"
    assert no_network == []


def test_the_budget_estimate_follows_the_image_quality_asked_for() -> None:
    from shotline.store.settings import parse_settings

    text = '''name = "t"
script = "t.fountain"
[policy]
allow_human_review = true
require_zero_data_retention = false
max_retention_days = 30
[providers.openai]
image_quality = "high"
'''
    route = resolve(parse_settings(text), "openai:gpt-image-1", "image", on=date.today(),
                    environ={})
    assert route.model.cost.per_image == 0.25


@pytest.mark.parametrize("endpoint", ["http://203.0.113.9/v1", "ftp://example.com/v1"])
def test_a_remote_providers_key_never_goes_in_the_clear(endpoint: str) -> None:
    from shotline.store.settings import parse_settings

    text = f'''name = "t"
script = "t.fountain"
[providers.openai]
endpoint = "{endpoint}"
'''
    with pytest.raises(InputError, match="must be an https URL"):
        resolve(parse_settings(text), "openai:gpt-4o", "text", on=date.today(),
                environ={"OPENAI_API_KEY": "sk-secret-123456"})
