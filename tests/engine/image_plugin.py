"""A paid image provider for pipeline tests, installed the way any third-party plugin
is: a module and a dist-info folder declaring it in the `shotline.providers` group."""

from __future__ import annotations

import importlib
import io
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

MODULE = "pix_provider"


def install(folder: Path, *, trains_on_inputs: bool = False, price: float = 0.04) -> None:
    """Write the plugin into folder; the caller puts folder on sys.path."""
    (folder / f"{MODULE}.py").write_text(textwrap.dedent(f'''
        from datetime import date
        from tests.engine.image_plugin import PixPlugin
        from shotline.governance.terms import DataUseTerms

        TERMS = DataUseTerms(trains_on_inputs={trains_on_inputs}, trains_on_outputs=False,
                             retention_days=0, zero_data_retention=True, human_review=False,
                             regions=("eu-west-1",), evidence_url="https://pix.example/dpa",
                             verified_at=date.today())
        PLUGIN = PixPlugin(TERMS, {price})
        '''), encoding="utf-8")
    info = folder / "pix_provider-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pix-provider\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[shotline.providers]\npix = {MODULE}:PLUGIN\n", encoding="utf-8")
    sys.modules.pop(MODULE, None)
    importlib.invalidate_caches()


@dataclass
class Call:
    prompt: str
    seed: int | None
    init_size: tuple[int, int] | None
    control: list[str]
    references: int


@dataclass
class PixService:
    calls: list[Call] = field(default_factory=list)

    def generate(self, request: object) -> object:
        from shotline.providers.types import ImageRequest, ImageResult

        assert isinstance(request, ImageRequest)
        init = None
        if request.init_image is not None:
            with Image.open(io.BytesIO(request.init_image)) as image:
                init = image.size
        self.calls.append(Call(request.prompt, request.seed, init, sorted(request.control),
                               len(request.references)))
        # A picture of another shape than the frame, coloured by the seed.
        seed = request.seed or 0
        colour = (seed % 256, (seed >> 8) % 256, (seed >> 16) % 256)
        out = io.BytesIO()
        Image.new("RGB", (1024, 768), colour).save(out, "PNG")
        return ImageResult((out.getvalue(),), seed=request.seed, cost_usd=0.0,
                           model_version="pix-1.3")


CONNECTED: list[PixService] = []


class PixPlugin:
    def __init__(self, terms: object, price: float) -> None:
        from shotline.providers.types import (
            IMAGE,
            IMAGE_CONTROL_DEPTH,
            IMAGE_EDIT,
            IMAGE_REFERENCE,
            CostModel,
            ModelInfo,
            ProviderInfo,
        )

        self.info = ProviderInfo(
            name="pix", title="Pix (test)", where="remote",
            models=(ModelInfo("pix-1", frozenset({IMAGE, IMAGE_EDIT, IMAGE_REFERENCE,
                                                  IMAGE_CONTROL_DEPTH}),
                              CostModel(per_image=price), terms,  # type: ignore[arg-type]
                              max_references=2),))

    def connect(self, config: object) -> PixService:
        service = PixService()
        CONNECTED.append(service)
        return service
