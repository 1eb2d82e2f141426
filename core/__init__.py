"""The bottom layer: errors, text folding and other small pieces every app may use.

It imports nothing of the project (Django and third-party libraries only), so any layer above
(tenants → shared_apps → tenant_apps → config) may import it without creating a cycle.
"""
