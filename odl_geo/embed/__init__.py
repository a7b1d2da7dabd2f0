"""Web embedding for commune websites: the ``<odl-map>`` and ``<odl-catalogue>`` web components.

The components themselves are JavaScript (``web/``, built by ``node web/build.mjs`` into ``static/`` of this
package, which ``odl-geo serve`` serves and a wheel carries); this package holds the Python side that writes
the snippet a webmaster pastes.
"""
