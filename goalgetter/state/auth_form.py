"""What the sign-in and sign-up forms show after a failed attempt (from the redirect URL)."""

import reflex as rx

from goalgetter.domain import oauth_linking
from goalgetter.domain.validation import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, message_for
from goalgetter.integrations.oauth_clients import configured_providers
from goalgetter.settings import get_settings


class AuthFormState(rx.State):
    error: str = ""
    notice: str = ""
    email: str = ""
    name: str = ""
    # Read when the page opens, not when it is compiled: configured at run time, shown.
    google_sign_in: bool = False
    github_sign_in: bool = False

    @rx.event
    def read_params(self):
        params = self.router.url.query_parameters
        code = params.get("error", "")
        # Only known codes become text: a crafted link cannot put words on our page.
        self.error = (oauth_linking.MESSAGES.get(code) or message_for(code)) if code else ""
        self.notice = "You are signed out." if params.get("signed_out") else ""
        if params.get("deleted"):
            self.notice = "Your account and everything in it are deleted."
        self.email = params.get("email", "")[:MAX_EMAIL_LENGTH]
        self.name = params.get("name", "")[:MAX_NAME_LENGTH]
        providers = configured_providers(get_settings())
        self.google_sign_in, self.github_sign_in = "google" in providers, "github" in providers
