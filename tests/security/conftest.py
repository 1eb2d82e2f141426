from tests.dossiers.conftest import desk  # noqa: F401  (the agency with a desk, shared fixture)
from tests.interagency.conftest import two  # noqa: F401  (a commune and a department, shared fixture)
