"""The demo city's history (issue #13): `demo_history_seed` writes it through the services,
`demo_lookup_codes` names three dossiers to look up. Behind `manage.py seed_demo_history`."""

from .history import demo_history_exists, demo_history_seed, demo_lookup_codes  # noqa: F401
