"""Is a model's checkpoint reachable? Checked in the driver before Ray starts, so a missing model fails
in a second with a fix instead of minutes later as a traceback inside a replica.

A model path is reachable when it is an embedded model, a local folder, a hub id whose config is in
the local Hugging Face cache, or a hub id the hub answers for (when the hub is not switched off by
`HF_HUB_OFFLINE=1`). Anything else raises `ModelNotAvailableError` saying how to fetch it.
"""

from __future__ import annotations

from pathlib import Path

from harness.engines.embedded import is_embedded


class ModelNotAvailableError(ValueError):
    """A model's weights are neither local, nor cached, nor reachable on the hub."""


def _fix(name: str, path: str) -> str:
    return (f"fetch it on a machine with network (`huggingface-cli download {path}`, then copy "
            f"~/.cache/huggingface), or point the model at a local folder: "
            f"model.path=/path/to/{path.split('/')[-1]} (or `path:` in configs/model/{name}.yaml)")


def check_model_available(name: str, path: str, revision: str | None = None) -> None:
    """Raise ModelNotAvailableError unless `path` can be loaded from here (see the module docstring)."""
    if is_embedded(path) or Path(path).expanduser().is_dir():
        return
    if path.startswith(("/", ".", "~")) or path.count("/") != 1:
        raise ModelNotAvailableError(f"model {name}: path {path} is not a folder here and not a hub id "
                                     f"(owner/name); point model.path at a checkpoint folder")
    from huggingface_hub import constants, model_info, try_to_load_from_cache
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    if isinstance(try_to_load_from_cache(path, "config.json", revision=revision), str):
        return
    if constants.HF_HUB_OFFLINE:
        raise ModelNotAvailableError(f"model {name}: {path} is not in the local Hugging Face cache and the "
                                     f"hub is off (HF_HUB_OFFLINE=1); {_fix(name, path)}")
    try:
        model_info(path, revision=revision, timeout=15)
    except GatedRepoError as exc:
        raise ModelNotAvailableError(f"model {name}: {path} is gated on the hub: accept its licence on "
                                     f"huggingface.co and set HF_TOKEN ({type(exc).__name__})") from exc
    except RepositoryNotFoundError as exc:
        raise ModelNotAvailableError(f"model {name}: the hub has no model {path} (or it is private: set "
                                     f"HF_TOKEN)") from exc
    except Exception as exc:  # connection refused, DNS, timeout, proxy: the hub cannot be reached
        raise ModelNotAvailableError(
            f"model {name}: {path} is not in the local Hugging Face cache and the hub cannot be reached "
            f"({type(exc).__name__}); {_fix(name, path)}") from exc
