from tests.dossiers.conftest import desk  # noqa: F401  (the agency with a desk, shared fixture)
