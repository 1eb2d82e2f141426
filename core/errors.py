"""Errors a business rule raises; views and the API turn them into a message and a status."""


class DomainError(Exception):
    """A business rule refused the request; the message is for the person who asked."""

    code = "domain_error"
    status = 400

    def __init__(self, message, *, code=None, field=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class AgencyAlreadyExists(DomainError):
    code = "agency_exists"
    status = 409


class PermissionRefused(DomainError):
    code = "permission_denied"
    status = 403
