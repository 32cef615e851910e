"""``python -m bess_harness serve <module>:<name>``: serves a model without a ``__main__`` block of its
own. ``name`` is a Model subclass, a factory, or an instance; a class or factory is called without
arguments."""
from __future__ import annotations

import importlib
import os
import sys
import traceback

from .serve import claim_stdio, serve

USAGE = "usage: python -m bess_harness serve <module>:<name>   (e.g. my_models.iforest:IForest)"

#: Frames of the model's code shown when its import or construction raises.
FRAMES_SHOWN = 5


def _names_spec_module(error: ModuleNotFoundError, module_name: str) -> bool:
    """True when the module that is missing is the spec's own (or a package above it), not one its
    code imports: only then is the short message the whole story."""
    return error.name is not None and (module_name == error.name or module_name.startswith(error.name + "."))


#: Where Python's own and installed code live: a frame there is not the model's code.
_NOT_USER = tuple({os.path.join(p, "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)})
_IMPORTLIB = os.path.join(os.path.dirname(importlib.__file__), "")


def _raised(what: str, error: BaseException) -> str:
    """``what`` raised ``error``: its message with the file and line of the model's code that raised
    it, then the last frames (the import machinery's own left out)."""
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if not f.filename.startswith(("<frozen ", _IMPORTLIB)) and f.filename != __file__
    ]
    user = [f for f in frames if not f.filename.startswith(_NOT_USER)]
    where = ""
    if user:
        path = user[-1].filename
        shown_path = os.path.relpath(path) if path.startswith(os.path.join(os.getcwd(), "")) else path
        where = f" at {shown_path}:{user[-1].lineno}"
    shown = frames[-FRAMES_SHOWN:]
    lines = [f"{what} raised {type(error).__name__}{where}: {error}"]
    if shown:
        lines.append("Traceback (most recent call last):")
    if len(frames) > len(shown):
        lines.append(f"  … {len(frames) - len(shown)} frames above")
    lines.extend(line.rstrip("\n") for line in traceback.format_list(shown))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "serve" or ":" not in argv[1]:
        sys.stderr.write(USAGE + "\n")
        return 2
    module_name, _, attr = argv[1].partition(":")
    spec = argv[1]
    # The streams are the protocol's before the model's code runs: a print at import or in its
    # constructor ("loading weights…") goes to stderr instead of ahead of the hello reply.
    stdin, stdout = claim_stdio()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if not _names_spec_module(e, module_name):
            sys.stderr.write(f"bess_harness: cannot load {spec}: {_raised(f'importing {module_name}', e)}\n")
            return 2
        hint = "; name the module with dots, as `python -m` does (my_models.iforest), not a file path" if "/" in module_name or module_name.endswith(".py") else ""
        sys.stderr.write(f"bess_harness: cannot load {spec}: {e} (looked for from {os.getcwd()}, on PYTHONPATH and among the installed packages){hint}\n")
        return 2
    except Exception as e:  # the module's own code failed: where matters more than what
        sys.stderr.write(f"bess_harness: cannot load {spec}: {_raised(f'importing {module_name}', e)}\n")
        return 2
    if not hasattr(module, attr):
        public = sorted(n for n in vars(module) if not n.startswith("_") and isinstance(getattr(module, n), type))
        known = f" (its classes: {', '.join(public)})" if public else ""
        sys.stderr.write(f"bess_harness: cannot load {spec}: module {module_name} ({module.__file__}) has no attribute {attr!r}{known}\n")
        return 2
    target = getattr(module, attr)
    is_model = not isinstance(target, type) and (hasattr(target, "score") or hasattr(target, "score_batch"))
    try:
        model = target if is_model or not callable(target) else target()
    except Exception as e:
        sys.stderr.write(f"bess_harness: cannot load {spec}: {_raised(f'{attr}() (a class or factory served by name is called without arguments)', e)}\n")
        return 2
    serve(model, stdin, stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
