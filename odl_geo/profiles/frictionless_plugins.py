"""frictionless' plugins found without walking the whole ``sys.path`` (a theme run's 0.4-0.7 s of start-up).

frictionless 5 finds its plugins once per process (``System.plugins``, a cached property): every module named
``frictionless_*`` on ``sys.path`` (third-party plugins), found by ``pkgutil.iter_modules()``, then its own
``schemes``, ``formats`` and ``portals`` packages. ``pkgutil.iter_modules()`` lists every folder of every
``sys.path`` entry to tell packages from folders; with Debian's system site packages (the venv's, QGIS's
Python) that is some 5,000 ``listdir`` calls, 0.4-0.7 s before the first Table Schema is read.

:func:`prime_plugins` gives frictionless the very plugins it would find, in its order, built by its own code path
(the same modules, the same ``<Name>Plugin`` classes, the plugins registered by ``system.register`` first), having
looked for third-party plugins with one ``listdir`` per ``sys.path`` folder: when any entry of any of them is
named ``frictionless_*`` (a plugin, or only its ``.dist-info``), or an entry is not a plain folder (a zip), it
does nothing and frictionless walks ``sys.path`` itself, as always. frictionless' own ``register`` and
``deregister`` drop the cached plugins, and frictionless then finds them its own way again.

Only for frictionless 5 (``System.plugins`` as in 5.0-5.21: ``tests/unit/test_frictionless_plugins.py`` compares
the two against the installed frictionless); another major version is left to find its plugins itself.
"""

from __future__ import annotations

import os
import pkgutil
import sys
from collections import OrderedDict
from importlib import import_module
from typing import Any

__all__ = ["PREFIX", "prime_plugins", "third_party_candidates"]

PREFIX = "frictionless_"
_GROUPS = ("schemes", "formats", "portals")  # System.plugins' own packages, in its order


def third_party_candidates(path: list[str] | None = None) -> bool:
    """True when ``pkgutil.iter_modules()`` over ``path`` (default ``sys.path``) may find a ``frictionless_*``
    module: an entry so named in one of its folders, or an entry that is not a folder (a zip, a path hook's
    name), asked of ``pkgutil`` itself (it does not walk those)."""
    for entry in sys.path if path is None else path:
        folder = entry or "."  # "" is the current folder, as for the import system
        if os.path.isdir(folder):
            try:
                names = os.listdir(folder)
            except OSError:
                continue  # unreadable: pkgutil's walk skips it too
            if any(name.startswith(PREFIX) for name in names):
                return True
        elif any(item.name.startswith(PREFIX) for item in pkgutil.iter_modules([entry])):
            return True  # a zip, a path hook's entry (an editable install's finder): pkgutil lists no folder
    return False


def prime_plugins(system: Any = None) -> bool:
    """Set frictionless' plugins (``system``, default ``frictionless.system``) as ``System.plugins`` would find
    them, when it can be done without walking ``sys.path``; True when they were set here, False when they were
    found already or frictionless is left to find them (third-party plugins may exist, another version)."""
    import frictionless

    if system is None:
        system = frictionless.system
    if "plugins" in vars(system) or not frictionless.__version__.startswith("5."):
        return False
    dynamic = getattr(system, "_System__dynamic_plugins", None)  # what system.register added
    if not isinstance(dynamic, OrderedDict) or third_party_candidates():
        return False
    modules: OrderedDict[str, Any] = OrderedDict()
    for group in _GROUPS:  # System.plugins' own loop over its packages, as written there
        package = import_module(f"frictionless.{group}")
        if package.__file__:
            for _, name, _ in pkgutil.iter_modules([os.path.dirname(package.__file__)]):
                modules[name] = import_module(f"frictionless.{group}.{name}")
    plugins: OrderedDict[str, Any] = OrderedDict(dynamic)
    for name, module in modules.items():
        plugin_class = getattr(module, f"{name.capitalize()}Plugin", None)
        if plugin_class:
            plugins[name] = plugin_class()
    system.__dict__["plugins"] = plugins  # what the cached property stores: read by System.methods
    # the hooks by plugin, cached now too: register/deregister drop both (only once ``methods`` is cached)
    system.methods  # noqa: B018 - a cached property, computed for its side effect
    return True
