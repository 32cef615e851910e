"""``python -m bess_harness serve <module>:<name>``: serves a model without a ``__main__`` block of its
own. ``name`` is a Model subclass, a factory, or an instance; a class or factory is called without
arguments."""
from __future__ import annotations

import importlib
import sys

from .serve import claim_stdio, serve

USAGE = "usage: python -m bess_harness serve <module>:<name>   (e.g. my_models.iforest:IForest)"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "serve" or ":" not in argv[1]:
        sys.stderr.write(USAGE + "\n")
        return 2
    module_name, _, attr = argv[1].partition(":")
    # The streams are the protocol's before the model's code runs: a print at import or in its
    # constructor ("loading weights…") goes to stderr instead of ahead of the hello reply.
    stdin, stdout = claim_stdio()
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as e:
        sys.stderr.write(f"bess_harness: cannot load {argv[1]}: {e}\n")
        return 2
    is_model = not isinstance(target, type) and (hasattr(target, "score") or hasattr(target, "score_batch"))
    model = target if is_model or not callable(target) else target()
    serve(model, stdin, stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
