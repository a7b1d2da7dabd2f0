"""Publishers: one package per remote service (``endpoints``, ``models``, ``client``, ``publish``)."""
