"""The GoalGetter Reflex app: pages, the extra HTTP routes and start-up tasks."""

import reflex as rx
from reflex.app import default_backend_exception_handler

from goalgetter import observability
from goalgetter.calendar_routes import CALENDAR_ROUTES
from goalgetter.data.startup import database_lifespan
from goalgetter.exports import EXPORT_ROUTES, pdf_lifespan
from goalgetter.google_calendar_routes import GOOGLE_CALENDAR_ROUTES
from goalgetter.oauth_routes import OAUTH_ROUTES
from goalgetter.pages.auth import login_page, signup_page
from goalgetter.pages.home import home_page
from goalgetter.pages.meetings import meetings_page
from goalgetter.pages.outbox import outbox_page
from goalgetter.pages.settings import settings_page
from goalgetter.pages.workspace import workspace_page
from goalgetter.partner_routes import PARTNER_ROUTES
from goalgetter.password_reset_routes import PASSWORD_RESET_ROUTES
from goalgetter.routes import http_routes
from goalgetter.scheduler_service import scheduler_lifespan
from goalgetter.security_headers import security_headers, trusted_proxy
from goalgetter.shared_routes import SHARE_ROUTES
from goalgetter.shutdown import replies_lifespan
from goalgetter.socket_session import websocket_sees_session_keys
from goalgetter.state.auth_form import AuthFormState
from goalgetter.state.chat import ChatState
from goalgetter.state.guard import SessionGuard
from goalgetter.state.meetings import MeetingsState
from goalgetter.state.outbox import OutboxState
from goalgetter.state.session import NotSignedIn, SessionState
from goalgetter.state.shares import ShareState
from goalgetter.status_route import STATUS_ROUTES
from goalgetter.unsubscribe_routes import UNSUBSCRIBE_ROUTES


def handle_backend_error(exception: Exception):
    """A session that ended (signed out elsewhere, expired) sends the tab to sign in."""
    if isinstance(exception, NotSignedIn):
        return rx.redirect("/login")
    observability.report_error(exception)
    return default_backend_exception_handler(exception)


# JSON logs and Sentry, per settings, in each worker (README: hardening).
observability.setup()
app = rx.App(
    stylesheets=["/styles.css"],
    # Our routes first, then the wrapper that hides session tokens from the websocket.
    api_transformer=[
        http_routes(
            *EXPORT_ROUTES,
            *SHARE_ROUTES,
            *CALENDAR_ROUTES,
            *UNSUBSCRIBE_ROUTES,
            *PARTNER_ROUTES,
            *OAUTH_ROUTES,
            *GOOGLE_CALENDAR_ROUTES,
            *PASSWORD_RESET_ROUTES,
            *STATUS_ROUTES,
        ),
        websocket_sees_session_keys,
        # Outermost last: every response gets the headers and a request id; the proxy's
        # word on the client is taken before anything reads it.
        security_headers,
        observability.request_log,
        trusted_proxy,
    ],
    backend_exception_handler=handle_backend_error,
    head_components=[
        rx.el.meta(name="theme-color", content="#f76b15"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        # Before the page's own scripts: its listeners run before Reflex's on leaving.
        rx.el.script(src="/autosave.js"),
        rx.el.script(src="/signout.js"),
        rx.el.script(src="/chat_draft.js"),
    ],
)
app.add_middleware(SessionGuard(), index=0)
app.register_lifespan_task(database_lifespan)
app.register_lifespan_task(pdf_lifespan)
# After the database's: lifespan tasks start in order and stop in reverse.
app.register_lifespan_task(scheduler_lifespan)
# Last, so it stops first: replies under way end and are stored while the database is up.
app.register_lifespan_task(replies_lifespan)

public_page = [SessionState.open_public_page, AuthFormState.read_params]
app.add_page(home_page, route="/", title="GoalGetter", on_load=SessionState.open_public_page)
app.add_page(login_page, route="/login", title="Sign in · GoalGetter", on_load=public_page)
app.add_page(signup_page, route="/signup", title="Sign up · GoalGetter", on_load=public_page)
app.add_page(
    workspace_page,
    route="/workspace",
    title="Workspace · GoalGetter",
    on_load=ChatState.open_workspace,
)
app.add_page(
    meetings_page,
    route="/meetings",
    title="Check-ins · GoalGetter",
    on_load=MeetingsState.open_page,
)
app.add_page(
    outbox_page,
    route="/outbox",
    title="Your mail · GoalGetter",
    on_load=OutboxState.open_page,
)
app.add_page(
    settings_page,
    route="/settings",
    title="Settings · GoalGetter",
    on_load=ShareState.open_settings,
)
