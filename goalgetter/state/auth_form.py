"""What the sign-in and sign-up forms show after a failed attempt (from the redirect URL)."""

import reflex as rx

from goalgetter.domain.validation import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, message_for


class AuthFormState(rx.State):
    error: str = ""
    notice: str = ""
    email: str = ""
    name: str = ""

    @rx.event
    def read_params(self):
        params = self.router.url.query_parameters
        code = params.get("error", "")
        # Only known codes become text: a crafted link cannot put words on our page.
        self.error = message_for(code) if code else ""
        self.notice = "You are signed out." if params.get("signed_out") else ""
        self.email = params.get("email", "")[:MAX_EMAIL_LENGTH]
        self.name = params.get("name", "")[:MAX_NAME_LENGTH]
